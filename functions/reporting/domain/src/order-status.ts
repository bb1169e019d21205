/** The saga's statuses that move forward, by rank (ADR-0026); CANCELLED stands outside the ranking. */
export const STATUS_RANK = {
  PENDING: 0,
  BACKORDERED: 1,
  INVENTORY_RESERVED: 2,
  INVOICED: 3,
  PAID: 4,
  AWAITING_APPROVAL: 5,
  CONFIRMED: 6,
} as const;

export type RankedStatus = keyof typeof STATUS_RANK;
export type OrderStatus = RankedStatus | 'CANCELLED';

/** Every status an order can show, in saga order, CANCELLED last. */
export const ORDER_STATUSES = [
  ...(Object.keys(STATUS_RANK) as RankedStatus[]),
  'CANCELLED',
] as const satisfies readonly OrderStatus[];

/**
 * The status after an event that implies at least `implied`: the higher of the two, because
 * events of different topics arrive in any order. CANCELLED is terminal.
 */
export function advanceStatus(current: OrderStatus, implied: RankedStatus): OrderStatus {
  if (current === 'CANCELLED') return current;
  return STATUS_RANK[implied] > STATUS_RANK[current] ? implied : current;
}
