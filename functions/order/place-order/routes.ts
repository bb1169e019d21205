import definition from './function.json' with { type: 'json' };
import { randomUUID } from 'node:crypto';
import type { Sql } from '@atlas/db';
import { createEvent } from '@atlas/events';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { appendEvent } from '@atlas/messaging';
import { formatCents } from '@atlas/money';
import { insertOrder, orderTotalCents, placeOrderBodySchema } from '@atlas/order-domain';

/**
 * `POST /v1/orders`: the order row (PENDING) and OrderPlaced in one transaction, so the saga starts
 * if and only if the order exists, and every saga event finds its order.
 */
export function placeOrderRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { body: placeOrderBodySchema },
      transactional: {
        sql,
        handler: async (tx, { body, correlationId }) => {
          const orderId = randomUUID();
          const { customerId, currency, lines, paymentMethod } = body;
          const totalCents = orderTotalCents(lines);
          const total = formatCents(totalCents);
          await insertOrder(tx, { id: orderId, customerId, currency, lines, totalCents });
          // The request is the root cause: its correlation id is also the causation id.
          await appendEvent(
            tx,
            createEvent(
              'OrderPlaced',
              { orderId, customerId, currency, lines, total, paymentMethod },
              { producer: 'order', correlationId, causationId: correlationId },
            ),
          );
          return json(
            202,
            { orderId, status: 'PENDING', total, currency },
            { location: `/v1/orders/${orderId}` },
          );
        },
      },
    },
    dependencies,
  );
}
