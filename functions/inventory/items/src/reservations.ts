import type { TransactionSql } from '@atlas/db';
import type { SkuQuantity } from '@atlas/events';
import { cancelBackorder, fillBackorders, openBackorder } from './backorders.ts';
import { availabilityOf, lockItems, lockItemsForStockChange } from './item-locks.ts';
import {
  decideReservation,
  sumLines,
  type Backorder,
  type ShortLine,
} from './reservation-policy.ts';
import { freeStock, holdStock } from './stock-holds.ts';

export type ReservationOutcome =
  /** The order was placed (or released) before: a later OrderPlaced for it changes nothing. */
  | { readonly kind: 'seen-before' }
  | { readonly kind: 'reserved'; readonly lines: readonly SkuQuantity[] }
  | { readonly kind: 'backordered'; readonly short: readonly ShortLine[] };

export interface ReleaseOutcome {
  /** What the order held and no longer holds, in SKU order; empty when it held nothing. */
  readonly released: readonly SkuQuantity[];
  /** Whether an open backorder of the order was cancelled. */
  readonly backorderCancelled: boolean;
  /** Backorders that the freed stock filled, oldest first. */
  readonly filled: readonly Backorder[];
}

/**
 * OrderPlaced: reserves every line of the order or backorders the whole order (contract §4),
 * with the items locked in SKU order. An order is decided once, by the first placement seen.
 */
export async function reserveOrBackorder(
  tx: TransactionSql,
  order: { readonly orderId: string; readonly lines: readonly SkuQuantity[] },
): Promise<ReservationOutcome> {
  const first = await tx`
    insert into inventory_orders (order_id) values (${order.orderId})
    on conflict (order_id) do nothing
    returning order_id`;
  if (first.length === 0) return { kind: 'seen-before' };

  const lines = sumLines(order.lines);
  const items = await lockItems(
    tx,
    lines.map((line) => line.sku),
  );
  const decision = decideReservation(lines, availabilityOf(items));
  if (decision.kind === 'reserve') {
    await holdStock(tx, order.orderId, decision.lines);
    return { kind: 'reserved', lines: decision.lines };
  }
  await openBackorder(tx, order.orderId, decision.lines);
  return { kind: 'backordered', short: decision.short };
}

/**
 * InventoryReleaseRequested: releases what the order holds exactly once, cancels its open
 * backorder, then lets the freed stock fill other backorders. Remembers the order, so an
 * OrderPlaced that arrives after its release reserves nothing.
 */
export async function releaseOrder(tx: TransactionSql, orderId: string): Promise<ReleaseOutcome> {
  // The row lock makes two releases of one order (and a placement) take turns.
  await tx`
    insert into inventory_orders (order_id, release_requested_at) values (${orderId}, clock_timestamp())
    on conflict (order_id) do update
    set release_requested_at = coalesce(inventory_orders.release_requested_at, excluded.release_requested_at)`;
  const skus = await tx<{ sku: string }[]>`
    select sku from inventory_reservations where order_id = ${orderId} and status = 'RESERVED'
    union
    select l.sku from inventory_backorder_lines l
    join inventory_backorders b on b.id = l.backorder_id
    where b.order_id = ${orderId} and b.status = 'OPEN'`;
  await lockItemsForStockChange(
    tx,
    skus.map((row) => row.sku),
  );

  const released = await freeStock(tx, orderId);
  const backorderCancelled = await cancelBackorder(tx, orderId);
  const filled =
    released.length === 0
      ? []
      : await fillBackorders(
          tx,
          released.map((line) => line.sku),
        );
  return { released, backorderCancelled, filled };
}
