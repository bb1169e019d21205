export { MAX_STOCK, skuParamsSchema, skuSchema, toItem } from './item.ts';
export type { Item, ItemRow } from './item.ts';
export { decideReservation, planBackorderFill, sumLines } from './reservation-policy.ts';
export type {
  Availability,
  Backorder,
  ReservationDecision,
  ShortLine,
} from './reservation-policy.ts';
export { lockItems, lockItemsForStockChange } from './item-locks.ts';
export { findItem, setOnHand, upsertItem } from './item-store.ts';
export type { LockedItems } from './item-locks.ts';
export { fillBackorders, stageFilledBackorders } from './backorders.ts';
export { releaseOrder, reserveOrBackorder } from './reservations.ts';
export type { ReleaseOutcome, ReservationOutcome } from './reservations.ts';
