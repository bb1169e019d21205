import type { Sql } from '@atlas/db';

export interface StockViolation {
  readonly sku: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly live: number;
}

/**
 * The items that break contract §4: `reserved` other than the sum of the item's live reservations,
 * or `onHand − reserved < 0`. Tests expect none after every change.
 */
export async function stockInvariantViolations(sql: Sql): Promise<StockViolation[]> {
  return sql<StockViolation[]>`
    select i.sku, i.on_hand as "onHand", i.reserved,
           coalesce(sum(r.quantity) filter (where r.status = 'RESERVED'), 0)::int as live
    from inventory_items i
    left join inventory_reservations r on r.sku = i.sku
    group by i.sku
    having i.reserved <> coalesce(sum(r.quantity) filter (where r.status = 'RESERVED'), 0)
        or i.on_hand - i.reserved < 0
    order by i.sku`;
}

/** Orders that both hold stock and wait on an open backorder: the policy allows one or the other. */
export async function ordersBothReservedAndBackordered(sql: Sql): Promise<string[]> {
  const rows = await sql<{ order_id: string }[]>`
    select distinct b.order_id from inventory_backorders b
    join inventory_reservations r on r.order_id = b.order_id and r.status = 'RESERVED'
    where b.status = 'OPEN'`;
  return rows.map((row) => row.order_id);
}
