import { stage, type TransactionSql } from '@atlas/db';
import type { SkuQuantity } from '@atlas/events';
import { compareSkus } from './reservation-policy.ts';

/**
 * Reserves `lines` (summed, all available, their items locked) for an order: a RESERVED row per
 * SKU and the same quantity added to each item's `reserved`, keeping reserved equal to the sum of
 * its live reservations. Both writes are staged: nothing reads them back in the caller, and a
 * later statement of the transaction still sees them (PostgreSQL runs them in order).
 */
export async function holdStock(
  tx: TransactionSql,
  orderId: string,
  lines: readonly SkuQuantity[],
): Promise<void> {
  const skus = tx.array(lines.map((line) => line.sku));
  const quantities = tx.array(lines.map((line) => line.quantity));
  await stage(
    tx,
    tx`
    insert into inventory_reservations (order_id, sku, quantity)
    select ${orderId}, l.sku, l.quantity from unnest(${skus}::text[], ${quantities}::int[]) as l(sku, quantity)`,
  );
  await stage(
    tx,
    tx`
    update inventory_items i
    set reserved = i.reserved + l.quantity, updated_at = clock_timestamp()
    from unnest(${skus}::text[], ${quantities}::int[]) as l(sku, quantity)
    where i.sku = l.sku`,
  );
}

/**
 * Releases an order's live reservations, each exactly once (a RESERVED row turns RELEASED once),
 * and takes the same quantities off the items' `reserved`. Returns what was released, in SKU order.
 */
export async function freeStock(tx: TransactionSql, orderId: string): Promise<SkuQuantity[]> {
  const released = await tx<SkuQuantity[]>`
    update inventory_reservations
    set status = 'RELEASED', released_at = clock_timestamp()
    where order_id = ${orderId} and status = 'RESERVED'
    returning sku, quantity`;
  if (released.length === 0) return [];
  await tx`
    update inventory_items i
    set reserved = i.reserved - l.quantity, updated_at = clock_timestamp()
    from unnest(${tx.array(released.map((line) => line.sku))}::text[],
                ${tx.array(released.map((line) => line.quantity))}::int[]) as l(sku, quantity)
    where i.sku = l.sku`;
  return released
    .map(({ sku, quantity }) => ({ sku, quantity }))
    .sort((a, b) => compareSkus(a.sku, b.sku));
}
