import type { Sql } from '@atlas/db';
import { NotFoundError } from '@atlas/errors';
import { authenticate, httpFunction, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { findOrder, toOrderView } from '@atlas/order-domain';

const METHOD = 'GET';
const ROUTE = '/v1/orders/:orderId';

/** `GET /v1/orders/:orderId`: the order, or 404 (also for an id that is not a UUID). */
export function getOrderRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  const handle = httpFunction(
    {
      name: 'get-order',
      method: METHOD,
      route: ROUTE,
      schemas: {},
      authenticate: authenticate(dependencies.verifier, 'orders:read'),
      handler: async ({ params }) => {
        const orderId = params['orderId'] ?? '';
        const row = await findOrder(sql, orderId);
        if (!row) throw new NotFoundError(`No order ${orderId}.`);
        return json(200, toOrderView(row));
      },
    },
    dependencies,
  );
  return [{ method: METHOD, route: ROUTE, handle }];
}
