import { z } from 'zod';
import { MAX_CENTS, currencySchema, moneySchema, parseCents } from '@atlas/money';

/**
 * The largest quantity of one line (contract §3). With at most 100 lines, the quantity of one SKU
 * summed over an order stays below 10^8, far inside the Avro `int` of the events and the `int`
 * columns of Inventory: an order accepted here can never overflow downstream.
 */
export const MAX_QUANTITY = 1_000_000;
export const MAX_LINES = 100;

/** A SKU as Inventory spells it: a letter or digit, then up to 63 letters, digits, ".", "_", "-". */
export const skuSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a SKU is 1-64 letters, digits, ".", "_" or "-"');

export const orderLineSchema = z.strictObject({
  sku: skuSchema,
  quantity: z.int().min(1).max(MAX_QUANTITY),
  unitPrice: moneySchema,
});

export type OrderLine = z.infer<typeof orderLineSchema>;

/** The sum of quantity × unit price over the lines, in cents. */
export function orderTotalCents(lines: readonly OrderLine[]): bigint {
  return lines.reduce((sum, line) => sum + BigInt(line.quantity) * parseCents(line.unitPrice), 0n);
}

/** The body of `POST /v1/orders` (contract §3); unknown fields are refused at every level. */
export const placeOrderBodySchema = z
  .strictObject({
    customerId: z.string().trim().min(1).max(128),
    currency: currencySchema,
    lines: z.array(orderLineSchema).min(1).max(MAX_LINES),
    paymentMethod: z.strictObject({
      type: z.literal('card'),
      token: z.string().min(1).max(255),
    }),
  })
  // An invoice carries the total, and no amount in Atlas may exceed MAX_CENTS. Checked only when
  // every line is valid, since the total of a malformed line means nothing.
  .refine((body) => orderTotalCents(body.lines) <= MAX_CENTS, {
    path: ['lines'],
    error: 'the order total may be at most 9999999999.99',
    when: (payload) => payload.issues.length === 0,
  });

export type PlaceOrderBody = z.infer<typeof placeOrderBodySchema>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Order ids are UUIDs; anything else cannot name an order (404, not 400: it is just unknown). */
export function isOrderId(value: string): boolean {
  return UUID.test(value);
}
