import type { Sql } from '@atlas/db';
import { offsetOf, type PageRequest } from '@atlas/http';
import type { OrderRow, TimelineRow } from './order-store.ts';
import type { OrderStatus } from './order-status.ts';
import { exclusiveEnd, type TimeBound } from './time-range.ts';

/** One day and currency of the daily sales report, as the database sums it. */
export interface SalesRow {
  readonly day: string;
  readonly currency: string;
  readonly orders_confirmed: number;
  readonly revenue_cents: string;
  readonly refunds_cents: string;
}

/**
 * Per UTC day and currency from `from` to `to` (days, both included): the orders confirmed that
 * day and their totals, and the refunds paid that day (PaymentRefunded, whichever day the order
 * was confirmed). Days without either are left out.
 */
export async function dailySales(
  sql: Sql,
  range: { readonly from: string; readonly to: string },
): Promise<SalesRow[]> {
  const start = sql`${range.from}::date::timestamp at time zone 'UTC'`;
  const end = sql`(${range.to}::date + 1)::timestamp at time zone 'UTC'`;
  return sql<SalesRow[]>`
    with confirmed as (
      select (confirmed_at at time zone 'UTC')::date as day, currency,
             count(*)::int as orders, sum(total_cents) as revenue
      from report_orders
      where confirmed_at >= ${start} and confirmed_at < ${end}
      group by 1, 2
    ), refunded as (
      select (occurred_at at time zone 'UTC')::date as day, payload->>'currency' as currency,
             sum(round((payload->>'amount')::numeric * 100))::bigint as refunds
      from report_events
      where event_type = 'PaymentRefunded' and occurred_at >= ${start} and occurred_at < ${end}
      group by 1, 2
    )
    select to_char(coalesce(c.day, r.day), 'YYYY-MM-DD') as day,
           coalesce(c.currency, r.currency) as currency,
           coalesce(c.orders, 0) as orders_confirmed,
           coalesce(c.revenue, 0)::text as revenue_cents,
           coalesce(r.refunds, 0)::text as refunds_cents
    from confirmed c full join refunded r on r.day = c.day and r.currency = c.currency
    order by 1, 2`;
}

/**
 * Which page of the orders read model a listing shows, and of which orders; `from`/`to` bound
 * `created_at`, both included.
 */
export interface OrderReportFilter extends PageRequest {
  readonly status?: OrderStatus | undefined;
  readonly customerId?: string | undefined;
  readonly from?: TimeBound | undefined;
  readonly to?: TimeBound | undefined;
}

/** A page of the orders read model, newest first, with the total that match the filter. */
export async function listReportedOrders(
  sql: Sql,
  filter: OrderReportFilter,
): Promise<{ readonly rows: OrderRow[]; readonly total: number }> {
  const where = sql`
    where true
    ${filter.status ? sql`and status = ${filter.status}` : sql``}
    ${filter.customerId ? sql`and customer_id = ${filter.customerId}` : sql``}
    ${filter.from ? sql`and created_at >= ${filter.from.at}` : sql``}
    ${filter.to ? sql`and created_at < ${exclusiveEnd(filter.to)}` : sql``}`;
  const [counted] = await sql<{ total: number }[]>`
    select count(*)::int as total from report_orders ${where}`;
  const rows = await sql<OrderRow[]>`
    select * from report_orders ${where}
    order by created_at desc, order_id
    limit ${filter.pageSize} offset ${offsetOf(filter)}`;
  return { rows, total: counted?.total ?? 0 };
}

/** A timeline row, the columns the order timeline shows. */
export type TimelineStepRow = Pick<
  TimelineRow,
  'event_id' | 'event_type' | 'occurred_at' | 'correlation_id' | 'causation_id' | 'producer'
>;

/** Every event of the order's saga, oldest first; events of one millisecond in projection order. */
export async function orderTimeline(sql: Sql, orderId: string): Promise<TimelineStepRow[]> {
  return sql<TimelineStepRow[]>`
    select event_id, event_type, occurred_at, correlation_id, causation_id, producer
    from report_events where order_id = ${orderId}
    order by occurred_at, seq`;
}
