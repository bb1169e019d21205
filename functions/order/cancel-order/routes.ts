import { transaction, type Sql } from '@atlas/db';
import { authenticate, httpFunction, idempotency, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { toOrderView } from '@atlas/order-domain';
import { assertNoCancelFields, cancelOrder } from './cancel-order.ts';

const METHOD = 'POST';
const ROUTE = '/v1/orders/:orderId/cancel';

/**
 * `POST /v1/orders/:orderId/cancel`: 202 with the order once its cancellation runs (started now
 * or before), 409 when it is CONFIRMED or CANCELLED, 404 when unknown.
 */
export function cancelOrderRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  const handle = httpFunction(
    {
      name: 'cancel-order',
      method: METHOD,
      route: ROUTE,
      // No body schema: validate() would then require a body, and this command may come without.
      schemas: {},
      authenticate: authenticate(dependencies.verifier, 'orders:write'),
      idempotency: idempotency(dependencies.idempotencyStore, `${METHOD} ${ROUTE}`, {
        outcomesStaged: true,
      }),
      handler: async (event) => {
        assertNoCancelFields(event.body);
        const orderId = event.params['orderId'] ?? '';
        return transaction(sql, async (tx) => {
          const row = await cancelOrder(tx, orderId, event.correlationId);
          const response = json(202, toOrderView(row));
          await event.stageOutcome(tx, response);
          return response;
        });
      },
    },
    dependencies,
  );
  return [{ method: METHOD, route: ROUTE, handle }];
}
