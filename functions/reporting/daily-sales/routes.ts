import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { dailySales } from '@atlas/reporting-domain';
import { dailySalesQuerySchema, toDailySales } from './sales-days.ts';

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
        const rows = await dailySales(sql, query);
        return json(200, { from: query.from, to: query.to, items: rows.map(toDailySales) });
      },
    },
    dependencies,
  );
}
