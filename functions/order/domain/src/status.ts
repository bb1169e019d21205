import type { CancellationReason } from '@atlas/events';

/** Every status an order can have (contract §4), in saga order; CANCELLED last and terminal. */
export const ORDER_STATUSES = [
  'PENDING',
  'BACKORDERED',
  'INVENTORY_RESERVED',
  'INVOICED',
  'PAID',
  'AWAITING_APPROVAL',
  'CONFIRMED',
  'CANCELLED',
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The statuses the saga moves through forward (ADR-0026); CANCELLED is outside the ranking. */
export type ForwardStatus = Exclude<OrderStatus, 'CANCELLED'>;

export const CANCELLATION_REASONS = [
  'PAYMENT_FAILED',
  'APPROVAL_REJECTED',
  'CUSTOMER_CANCELLED',
] as const satisfies readonly CancellationReason[];

/**
 * The later of two forward statuses, by their place in {@link ORDER_STATUSES}. Topics are not
 * ordered with respect to each other, so an event may imply a status the order has already
 * passed; the status never moves back.
 */
export function laterStatus(current: ForwardStatus, implied: ForwardStatus): ForwardStatus {
  return ORDER_STATUSES.indexOf(implied) > ORDER_STATUSES.indexOf(current) ? implied : current;
}
