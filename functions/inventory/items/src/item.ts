import { z } from 'zod';

/** The largest stock a column of type `int` holds; larger quantities are refused up front. */
export const MAX_STOCK = 2_147_483_647;

/** A SKU: a letter or digit, then up to 63 letters, digits, dots, underscores or dashes. */
export const skuSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a SKU is 1-64 letters, digits, ".", "_" or "-"');

/** The route parameters of `/v1/inventory/items/:sku…`. */
export const skuParamsSchema = z.strictObject({ sku: skuSchema });

/** A row of `inventory_items`, as the functions select it. */
export interface ItemRow {
  readonly sku: string;
  readonly name: string;
  readonly on_hand: number;
  readonly reserved: number;
}

/** An item as the API answers it (contract §3). */
export interface Item {
  readonly sku: string;
  readonly name: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
}

/** The API shape of a row: `available` is what can still be reserved. */
export function toItem(row: ItemRow): Item {
  return {
    sku: row.sku,
    name: row.name,
    onHand: row.on_hand,
    reserved: row.reserved,
    available: row.on_hand - row.reserved,
  };
}
