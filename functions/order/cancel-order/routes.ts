import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { toOrderView } from '@atlas/order-domain';
import { assertNoCancelFields, cancelOrder } from './cancel-order.ts';

/**
 * `POST /v1/orders/:orderId/cancel`: 202 with the order once its cancellation runs (started now
 * or before), 409 when it is CONFIRMED or CANCELLED, 404 when unknown.
 */
export function cancelOrderRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      // No body schema: validate() would then require a body, and this command may come without.
      schemas: {},
      transactional: {
        sql,
        handler: async (tx, event) => {
          assertNoCancelFields(event.body);
          const row = await cancelOrder(tx, event.params['orderId'] ?? '', event.correlationId);
          return json(202, toOrderView(row));
        },
      },
    },
    dependencies,
  );
}
