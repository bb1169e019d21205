import type { InventoryBackorderedPayload, SkuQuantity } from '@atlas/events';

/** What can still be promised per SKU (`onHand − reserved`); a SKU not in the map has 0. */
export type Availability = ReadonlyMap<string, number>;

export type ShortLine = InventoryBackorderedPayload['lines'][number];

/** The whole order is reserved, or the whole order waits: never some lines (contract §4). */
export type ReservationDecision =
  | { readonly kind: 'reserve'; readonly lines: readonly SkuQuantity[] }
  | {
      readonly kind: 'backorder';
      readonly lines: readonly SkuQuantity[];
      readonly short: readonly ShortLine[];
    };

/** An open backorder with its (summed) lines, as the fill sees it. */
export interface Backorder {
  readonly id: string;
  readonly orderId: string;
  readonly lines: readonly SkuQuantity[];
}

/**
 * An order's lines with the quantities of one SKU added up, in SKU order: the order in which
 * items are locked, so two orders never wait on each other's locks.
 */
export function sumLines(lines: readonly SkuQuantity[]): SkuQuantity[] {
  const totals = new Map<string, number>();
  for (const { sku, quantity } of lines) totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  return [...totals]
    .map(([sku, quantity]) => ({ sku, quantity }))
    .sort((a, b) => compareSkus(a.sku, b.sku));
}

/** Code-unit order: one order for every transaction, whatever the database's collation. */
export function compareSkus(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Reserve when every summed line is available, else backorder the whole order and name the lines
 * that are short (an unknown SKU is short with 0 available).
 */
export function decideReservation(
  lines: readonly SkuQuantity[],
  availability: Availability,
): ReservationDecision {
  const summed = sumLines(lines);
  const short = summed
    .map(({ sku, quantity }) => ({
      sku,
      requested: quantity,
      available: availability.get(sku) ?? 0,
    }))
    .filter((line) => line.available < line.requested);
  return short.length === 0
    ? { kind: 'reserve', lines: summed }
    : { kind: 'backorder', lines: summed, short };
}

/**
 * The backorders that the stock now fills, oldest first: each one whose lines are all available is
 * filled and its stock taken; one that is not is skipped rather than waited for, so it does not
 * hold back younger orders that the remaining stock can serve (ADR-0026).
 */
export function planBackorderFill(
  oldestFirst: readonly Backorder[],
  availability: Availability,
): Backorder[] {
  const left = new Map(availability);
  const filled: Backorder[] = [];
  for (const backorder of oldestFirst) {
    const fits = backorder.lines.every(({ sku, quantity }) => (left.get(sku) ?? 0) >= quantity);
    if (!fits) continue;
    for (const { sku, quantity } of backorder.lines) left.set(sku, (left.get(sku) ?? 0) - quantity);
    filled.push(backorder);
  }
  return filled;
}
