import definition from './function.json' with { type: 'json' };
import { transaction, type Sql } from '@atlas/db';
import { paymentCallbackSchema } from '@atlas/billing-domain';
import { createEvent } from '@atlas/events';
import { declaredRoute, json, type HttpRouteDependencies, type Route } from '@atlas/http';
import { appendEvent } from '@atlas/messaging';
import { applyCallback } from './apply-callback.ts';
import { callbackSignature } from './signature-check.ts';

export interface PaymentWebhookOptions {
  /** The HMAC secret shared with the card provider. */
  readonly secret: string;
  /** The clock the signature's age is measured against; tests pass a fixed one. */
  readonly now?: () => Date;
}

/**
 * `POST /v1/payments/webhook`: the card provider's callback. No token and no Idempotency-Key: the
 * signature authenticates it and its callback id is the provider's idempotency key. Events carry
 * the request's correlation id and name the callback id as their cause.
 */
export function paymentWebhookRoutes(
  dependencies: HttpRouteDependencies,
  sql: Sql,
  options: PaymentWebhookOptions,
): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { body: paymentCallbackSchema },
      authenticate: callbackSignature(options.secret, options.now ?? (() => new Date())),
      handler: async ({ body, correlationId, logger }) => {
        const result = await transaction(sql, (tx) =>
          applyCallback(tx, body, async (eventType, payload) => {
            const context = { producer: 'billing', correlationId, causationId: body.callbackId };
            await appendEvent(tx, createEvent(eventType, payload, context));
          }),
        );
        logger.info({ ...result, type: body.type }, 'payment callback handled');
        return json(200, result);
      },
    },
    dependencies,
  );
}
