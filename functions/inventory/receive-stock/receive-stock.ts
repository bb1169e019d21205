import { z } from 'zod';
import { ConflictError } from '@atlas/errors';
import type { StockReceivedPayload } from '@atlas/events';
import { MAX_STOCK, type ItemRow } from '@atlas/inventory-items';

/** The body of `POST /v1/inventory/items/:sku/receipts`; unknown fields are refused (contract §3). */
export const receiptBodySchema = z.strictObject({
  quantity: z.int().min(1).max(MAX_STOCK),
});

export type ReceiptBody = z.infer<typeof receiptBodySchema>;

/**
 * The item after a receipt, and the StockReceived payload that reports it.
 *
 * @throws ConflictError when the stock would no longer fit its column.
 */
export function receiveStock(
  current: ItemRow,
  quantity: number,
): { readonly row: ItemRow; readonly payload: StockReceivedPayload } {
  const onHand = current.on_hand + quantity;
  if (onHand > MAX_STOCK) {
    throw new ConflictError(
      `${current.sku} has ${current.on_hand} on hand; receiving ${quantity} exceeds ${MAX_STOCK}.`,
    );
  }
  return { row: { ...current, on_hand: onHand }, payload: { sku: current.sku, quantity, onHand } };
}
