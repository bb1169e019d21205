import type { TransactionSql } from '@atlas/db';
import type { ItemRow } from './item.ts';
import { compareSkus, type Availability } from './reservation-policy.ts';

/** The locked rows of some SKUs; a SKU that has no item yet is absent. */
export type LockedItems = ReadonlyMap<string, ItemRow>;

/**
 * Locks the items of `skus` FOR UPDATE, one at a time in SKU order, so that two transactions
 * never hold one another's next lock. A SKU without a row is held by a transaction-scoped advisory
 * lock instead, and read again once held: otherwise an order could be backordered on an unknown
 * SKU while a concurrent PUT creates the item, and neither would see the other's work.
 */
export async function lockItems(tx: TransactionSql, skus: Iterable<string>): Promise<LockedItems> {
  const locked = new Map<string, ItemRow>();
  for (const sku of [...new Set(skus)].sort(compareSkus)) {
    let row = await selectForUpdate(tx, sku);
    if (!row) {
      await tx`select pg_advisory_xact_lock(hashtextextended(${`inventory_items:${sku}`}, 0))`;
      row = await selectForUpdate(tx, sku);
    }
    if (row) locked.set(sku, row);
  }
  return locked;
}

/**
 * Locks the items of `skus` together with every item that an open backorder containing one of
 * them also needs, all in SKU order: a stock change that will fill backorders takes its locks in
 * one ordered pass instead of adding some after the fact.
 */
export async function lockItemsForStockChange(
  tx: TransactionSql,
  skus: readonly string[],
): Promise<LockedItems> {
  const related = await tx<{ sku: string }[]>`
    select distinct l.sku
    from inventory_backorder_lines l
    join inventory_backorders b on b.id = l.backorder_id and b.status = 'OPEN'
    where b.id in (
      select backorder_id from inventory_backorder_lines where sku = any(${tx.array([...skus])}::text[]))`;
  return lockItems(tx, [...skus, ...related.map((row) => row.sku)]);
}

/** What each locked item can still promise. */
export function availabilityOf(items: LockedItems): Availability {
  return new Map([...items].map(([sku, row]) => [sku, row.on_hand - row.reserved]));
}

async function selectForUpdate(tx: TransactionSql, sku: string): Promise<ItemRow | undefined> {
  const [row] = await tx<ItemRow[]>`
    select sku, name, on_hand, reserved from inventory_items where sku = ${sku} for update`;
  return row;
}
