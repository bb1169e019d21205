import { z } from 'zod';
import { ConflictError } from '@atlas/errors';
import { MAX_STOCK, type ItemRow } from '@atlas/inventory-items';

/** The body of `PUT /v1/inventory/items/:sku`; unknown fields are refused (contract §3). */
export const setStockBodySchema = z.strictObject({
  onHand: z.int().min(0).max(MAX_STOCK),
  name: z.string().min(1).max(200).optional(),
});

export type SetStockBody = z.infer<typeof setStockBodySchema>;

/**
 * Checks that the new stock keeps `onHand − reserved ≥ 0` (contract §4): stock that live
 * reservations hold cannot be set away, whatever a stock count says.
 *
 * @throws ConflictError when `onHand` is below what is reserved.
 */
export function assertCanSetStock(current: ItemRow | undefined, body: SetStockBody): void {
  if (current && body.onHand < current.reserved) {
    throw new ConflictError(
      `${current.sku} has ${current.reserved} reserved; on hand cannot be set to ${body.onHand}.`,
    );
  }
}
