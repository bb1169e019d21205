import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { NotFoundError } from '@atlas/errors';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { findOrder, toOrderView } from '@atlas/order-domain';

/** `GET /v1/orders/:orderId`: the order, or 404 (also for an id that is not a UUID). */
export function getOrderRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: {},
      handler: async ({ params }) => {
        const orderId = params['orderId'] ?? '';
        const row = await findOrder(sql, orderId);
        if (!row) throw new NotFoundError(`No order ${orderId}.`);
        return json(200, toOrderView(row));
      },
    },
    dependencies,
  );
}
