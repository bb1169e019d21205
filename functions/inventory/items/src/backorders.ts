import type { TransactionSql } from '@atlas/db';
import { createEvent, type SkuQuantity } from '@atlas/events';
import { appendEvent } from '@atlas/messaging';
import { availabilityOf, lockItems, type LockedItems } from './item-locks.ts';
import { compareSkus, planBackorderFill, type Backorder } from './reservation-policy.ts';
import { holdStock } from './stock-holds.ts';

/** Puts an order on backorder with its summed lines; it waits for a fill or a release. */
export async function openBackorder(
  tx: TransactionSql,
  orderId: string,
  lines: readonly SkuQuantity[],
): Promise<void> {
  await tx`
    with backorder as (insert into inventory_backorders (order_id) values (${orderId}) returning id)
    insert into inventory_backorder_lines (backorder_id, sku, quantity)
    select backorder.id, l.sku, l.quantity
    from backorder, unnest(${tx.array(lines.map((line) => line.sku))}::text[],
                           ${tx.array(lines.map((line) => line.quantity))}::int[]) as l(sku, quantity)`;
}

/** Closes an order's open backorder, if it has one; true when one was closed. */
export async function cancelBackorder(tx: TransactionSql, orderId: string): Promise<boolean> {
  const closed = await tx`
    update inventory_backorders set status = 'CANCELLED', closed_at = clock_timestamp()
    where order_id = ${orderId} and status = 'OPEN'
    returning id`;
  return closed.length > 0;
}

/**
 * After stock of `skus` grew or was freed: reserves every open backorder containing one of them
 * whose lines are now all available, oldest first (created_at, id), skipping those that are not
 * (ADR-0026). Returns the filled backorders so the caller reports each one as InventoryReserved.
 *
 * Backorders only change while their items are locked, so they are read again after locking
 * their items until no backorder needs an item this transaction does not hold.
 */
export async function fillBackorders(
  tx: TransactionSql,
  skus: readonly string[],
): Promise<Backorder[]> {
  let locked = new Set<string>();
  let items: LockedItems = new Map();
  for (;;) {
    const candidates = await openBackordersContaining(tx, skus);
    const needed = new Set(candidates.flatMap((backorder) => backorder.lines.map((l) => l.sku)));
    if ([...needed].every((sku) => locked.has(sku))) {
      const filled = planBackorderFill(candidates, availabilityOf(items));
      for (const backorder of filled) {
        await tx`
          update inventory_backorders set status = 'FILLED', closed_at = clock_timestamp()
          where id = ${backorder.id}`;
        await holdStock(tx, backorder.orderId, backorder.lines);
      }
      return filled;
    }
    items = await lockItems(tx, needed);
    locked = needed;
  }
}

/**
 * Stages InventoryReserved for each filled backorder, caused by the request that changed the
 * stock (HTTP commands; a consumer emits through its own context instead).
 */
export async function stageFilledBackorders(
  tx: TransactionSql,
  filled: readonly Backorder[],
  cause: { readonly correlationId: string; readonly causationId: string },
): Promise<void> {
  for (const { orderId, lines } of filled) {
    await appendEvent(
      tx,
      createEvent('InventoryReserved', { orderId, lines }, { producer: 'inventory', ...cause }),
    );
  }
}

async function openBackordersContaining(
  tx: TransactionSql,
  skus: readonly string[],
): Promise<Backorder[]> {
  const rows = await tx<{ id: string; order_id: string; sku: string; quantity: number }[]>`
    select b.id::text as id, b.order_id, l.sku, l.quantity
    from inventory_backorders b
    join inventory_backorder_lines l on l.backorder_id = b.id
    where b.status = 'OPEN'
      and b.id in (
        select backorder_id from inventory_backorder_lines where sku = any(${tx.array([...skus])}::text[]))
    order by b.created_at, b.id, l.sku`;
  const byId = new Map<string, { id: string; orderId: string; lines: SkuQuantity[] }>();
  for (const row of rows) {
    const backorder = byId.get(row.id) ?? { id: row.id, orderId: row.order_id, lines: [] };
    backorder.lines.push({ sku: row.sku, quantity: row.quantity });
    byId.set(row.id, backorder);
  }
  return [...byId.values()].map((backorder) => ({
    ...backorder,
    lines: backorder.lines.sort((a, b) => compareSkus(a.sku, b.sku)),
  }));
}
