import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { listOrders, listOrdersQuerySchema, toOrderView } from '@atlas/order-domain';

/** `GET /v1/orders`: one page of orders, newest first, with the total that match the filters. */
export function listOrdersRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { query: listOrdersQuerySchema },
      handler: async ({ query }) => {
        const { page, pageSize, status, customerId } = query;
        const { rows, total } = await listOrders(
          sql,
          {
            ...(status === undefined ? {} : { status }),
            ...(customerId === undefined ? {} : { customerId }),
          },
          { page, pageSize },
        );
        return json(200, { items: rows.map(toOrderView), page, pageSize, total });
      },
    },
    dependencies,
  );
}
