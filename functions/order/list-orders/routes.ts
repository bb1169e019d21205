import type { Sql } from '@atlas/db';
import { authenticate, httpFunction, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { listOrders, listOrdersQuerySchema, toOrderView } from '@atlas/order-domain';

const METHOD = 'GET';
const ROUTE = '/v1/orders';

/** `GET /v1/orders`: one page of orders, newest first, with the total that match the filters. */
export function listOrdersRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  const handle = httpFunction(
    {
      name: 'list-orders',
      method: METHOD,
      route: ROUTE,
      schemas: { query: listOrdersQuerySchema },
      authenticate: authenticate(dependencies.verifier, 'orders:read'),
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
  return [{ method: METHOD, route: ROUTE, handle }];
}
