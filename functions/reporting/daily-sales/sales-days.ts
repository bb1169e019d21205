import { z } from 'zod';
import { formatCents } from '@atlas/money';
import { timeBoundSchema, type SalesRow } from '@atlas/reporting-domain';

const DAY_MS = 86_400_000;
/** Without `from`, the report covers this many days up to `to`. */
export const DEFAULT_DAYS = 30;
/** A longer range is refused: one request, one bounded answer. */
export const MAX_DAYS = 366;

const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/** The UTC days a report covers, `from` and `to` both included. */
export interface DayRange {
  readonly from: string;
  readonly to: string;
}

/**
 * The query of `GET /v1/reports/sales/daily`: `from`/`to` are days (`2026-11-28`) or instants
 * whose UTC day counts; `to` defaults to today, `from` to {@link DEFAULT_DAYS} days up to `to`.
 */
export function dailySalesQuerySchema(now: () => Date = () => new Date()) {
  return z
    .strictObject({ from: timeBoundSchema.optional(), to: timeBoundSchema.optional() })
    .transform(({ from, to }): DayRange => {
      const end = to?.at ?? now();
      const start = from?.at ?? new Date(end.getTime() - (DEFAULT_DAYS - 1) * DAY_MS);
      return { from: utcDay(start), to: utcDay(end) };
    })
    .refine((range) => range.from <= range.to, {
      path: ['from'],
      error: 'from must not be after to',
    })
    .refine((range) => daysIn(range) <= MAX_DAYS, {
      path: ['from'],
      error: `at most ${MAX_DAYS} days at once`,
    });
}

/** How many days a range covers. */
export function daysIn(range: DayRange): number {
  return (Date.parse(range.to) - Date.parse(range.from)) / DAY_MS + 1;
}

/** One UTC day in one currency: money is never added across currencies. */
export interface DailySales {
  readonly date: string;
  readonly currency: string;
  readonly ordersConfirmed: number;
  readonly revenue: string;
  readonly refunds: string;
}

export function toDailySales(row: SalesRow): DailySales {
  return {
    date: row.day,
    currency: row.currency,
    ordersConfirmed: row.orders_confirmed,
    revenue: formatCents(BigInt(row.revenue_cents)),
    refunds: formatCents(BigInt(row.refunds_cents)),
  };
}
