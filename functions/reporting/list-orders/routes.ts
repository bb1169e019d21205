import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { declaredRoute, json, type Page, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { listReportedOrders } from '@atlas/reporting-domain';
import { listOrdersQuerySchema, toOrderReport, type OrderReport } from './order-report.ts';

/** `GET /v1/reports/orders`: a page of the orders read model, newest first. */
export function listOrdersRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { query: listOrdersQuerySchema },
      handler: async ({ query }) => {
        const { rows, total } = await listReportedOrders(sql, query);
        const page: Page<OrderReport> = {
          items: rows.map(toOrderReport),
          page: query.page,
          pageSize: query.pageSize,
          total,
        };
        return json(200, page);
      },
    },
    dependencies,
  );
}
