import { ORDER_STATUSES, laterStatus, type OrderStatus } from '@atlas/order-domain/status';

/**
 * Every status an order can show, in saga order, CANCELLED last: the order service's one list
 * (contract §4). The statuses before CANCELLED move forward by their place in it (ADR-0026);
 * CANCELLED stands outside the ranking.
 */
export { ORDER_STATUSES };
export type { OrderStatus };
export type RankedStatus = Exclude<OrderStatus, 'CANCELLED'>;

/**
 * The status after an event that implies at least `implied`: the higher of the two, because
 * events of different topics arrive in any order. CANCELLED is terminal.
 */
export function advanceStatus(current: OrderStatus, implied: RankedStatus): OrderStatus {
  return current === 'CANCELLED' ? current : laterStatus(current, implied);
}
