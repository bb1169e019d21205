import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { declaredRoute, json, type Page, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { exclusiveEnd, type OrderRow } from '@atlas/reporting-domain';
import { listOrdersQuerySchema, toOrderReport, type OrderReport } from './order-report.ts';

/** `GET /v1/reports/orders`: a page of the orders read model, newest first. */
export function listOrdersRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { query: listOrdersQuerySchema },
      handler: async ({ query }) => {
        const where = sql`
          where true
          ${query.status ? sql`and status = ${query.status}` : sql``}
          ${query.customerId ? sql`and customer_id = ${query.customerId}` : sql``}
          ${query.from ? sql`and created_at >= ${query.from.at}` : sql``}
          ${query.to ? sql`and created_at < ${exclusiveEnd(query.to)}` : sql``}`;
        const [counted] = await sql<{ total: number }[]>`
          select count(*)::int as total from report_orders ${where}`;
        const rows = await sql<OrderRow[]>`
          select * from report_orders ${where}
          order by created_at desc, order_id
          limit ${query.pageSize} offset ${(query.page - 1) * query.pageSize}`;
        const page: Page<OrderReport> = {
          items: rows.map(toOrderReport),
          page: query.page,
          pageSize: query.pageSize,
          total: counted?.total ?? 0,
        };
        return json(200, page);
      },
    },
    dependencies,
  );
}
