import type { Sql, TransactionSql } from '@atlas/db';
import type { ItemRow } from './item.ts';

/** The item of `sku`, or undefined when there is none. */
export async function findItem(
  sql: Sql | TransactionSql,
  sku: string,
): Promise<ItemRow | undefined> {
  const [row] = await sql<ItemRow[]>`
    select sku, name, on_hand, reserved from inventory_items where sku = ${sku}`;
  return row;
}

/** Creates the item or sets its stock on hand, and its name when one is given. */
export async function upsertItem(
  tx: TransactionSql,
  sku: string,
  item: { readonly name?: string | undefined; readonly onHand: number },
): Promise<void> {
  await tx`
    insert into inventory_items (sku, name, on_hand)
    values (${sku}, ${item.name ?? ''}, ${item.onHand})
    on conflict (sku) do update set
      on_hand = excluded.on_hand,
      name = coalesce(${item.name ?? null}, inventory_items.name),
      updated_at = clock_timestamp()`;
}

/** Sets the stock on hand of an item that exists. */
export async function setOnHand(tx: TransactionSql, sku: string, onHand: number): Promise<void> {
  await tx`
    update inventory_items
    set on_hand = ${onHand}, updated_at = clock_timestamp()
    where sku = ${sku}`;
}
