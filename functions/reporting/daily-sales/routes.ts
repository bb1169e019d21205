import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { dailySalesQuerySchema, toDailySales, type SalesRow } from './sales-days.ts';

/**
 * `GET /v1/reports/sales/daily`: per UTC day and currency, the orders confirmed that day and
 * their totals (revenue), and the refunds paid that day (PaymentRefunded, whichever day the
 * order was confirmed). Days without either are left out.
 */
export function dailySalesRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { query: dailySalesQuerySchema() },
      handler: async ({ query }) => {
        const start = sql`${query.from}::date::timestamp at time zone 'UTC'`;
        const end = sql`(${query.to}::date + 1)::timestamp at time zone 'UTC'`;
        const rows = await sql<SalesRow[]>`
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
        return json(200, { from: query.from, to: query.to, items: rows.map(toDailySales) });
      },
    },
    dependencies,
  );
}
