import { z } from 'zod';
import { currencySchema, moneySchema } from '@atlas/money';

// The provider's ids: 1-255 visible ASCII characters, the same rule as an Idempotency-Key.
const providerId = z.string().regex(/^[\x21-\x7e]{1,255}$/, '1-255 visible ASCII characters');

const common = {
  /** The provider's key for this callback: the webhook applies each one once. */
  callbackId: providerId,
  /** The provider's charge, which becomes the payment id. */
  chargeId: providerId,
  invoiceId: z.uuid(),
  orderId: z.string().min(1).max(255),
  amount: moneySchema,
  currency: currencySchema,
};

/**
 * The body of `POST /v1/payments/webhook`: a charge succeeded, or failed with a reason. Strict:
 * unknown fields are refused (contract §3).
 */
export const paymentCallbackSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...common, type: z.literal('succeeded') }),
  z.strictObject({ ...common, type: z.literal('failed'), reason: z.string().min(1).max(500) }),
]);

export type PaymentCallback = z.infer<typeof paymentCallbackSchema>;
