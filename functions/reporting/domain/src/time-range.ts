import { z } from 'zod';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** A query bound: a whole UTC day (`2026-11-28`) or an instant (`2026-11-28T10:15:00Z`). */
export interface TimeBound {
  readonly at: Date;
  /** True for a day: as an upper bound it includes that whole day. */
  readonly wholeDay: boolean;
}

/** An ISO 8601 date or date-time with a zone (`Z` or an offset), as a {@link TimeBound}. */
export const timeBoundSchema = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: 'an ISO 8601 date (2026-11-28) or date-time with zone (2026-11-28T10:15:00Z)',
  })
  .transform((value): TimeBound => ({
    at: new Date(DATE.test(value) ? `${value}T00:00:00.000Z` : value),
    wholeDay: DATE.test(value),
  }));

/** The first instant after an upper bound: the next midnight for a day, else a millisecond later. */
export function exclusiveEnd(bound: TimeBound): Date {
  return new Date(bound.at.getTime() + (bound.wholeDay ? DAY_MS : 1));
}

/** The query's range check: `from` must not be after `to`. */
export function rangeIsOrdered(range: {
  readonly from?: TimeBound | undefined;
  readonly to?: TimeBound | undefined;
}): boolean {
  return !range.from || !range.to || range.from.at.getTime() < exclusiveEnd(range.to).getTime();
}
