import { z } from 'zod';
import type { TransactionSql } from '@atlas/db';
import { NotFoundError, ValidationError } from '@atlas/errors';
import { createEvent } from '@atlas/events';
import { appendEvent } from '@atlas/messaging';
import {
  cancelByCustomer,
  commitTransition,
  lockOrder,
  toSagaState,
  type OrderRow,
} from '@atlas/order-domain';

const cancelBodySchema = z.strictObject({}).optional();

/**
 * The cancel command has no fields, so no body and `{}` mean the same; anything else is refused.
 *
 * @throws ValidationError naming each unknown field.
 */
export function assertNoCancelFields(body: unknown): void {
  const result = cancelBodySchema.safeParse(body);
  if (result.success) return;
  throw new ValidationError(
    'The cancel command takes no fields.',
    result.error.issues.map((issue) => ({
      path: ['body', ...issue.path.map(String)].join('.'),
      message: issue.message,
    })),
  );
}

/**
 * Starts the customer's cancellation on the locked order and stages the compensation requests in
 * the same transaction; an order already cancelling is answered as it is.
 *
 * @throws NotFoundError for an unknown order; ConflictError when it is CONFIRMED or CANCELLED.
 */
export async function cancelOrder(
  tx: TransactionSql,
  orderId: string,
  correlationId: string,
): Promise<OrderRow> {
  const locked = await lockOrder(tx, orderId);
  if (!locked) throw new NotFoundError(`No order ${orderId}.`);
  return commitTransition(tx, locked, cancelByCustomer(toSagaState(locked)), (emission) =>
    appendEvent(
      tx,
      createEvent(emission.eventType, emission.payload, {
        producer: 'order',
        correlationId,
        causationId: correlationId,
      }),
    ),
  );
}
