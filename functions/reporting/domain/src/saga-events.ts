import { EVENT_CATALOG, EVENT_TYPES, type EventType } from '@atlas/events';

/**
 * Every event of an order's saga: the Atlas events whose aggregate is the Order, whichever
 * service emits them (not StockReceived, which belongs to an item, nor AuditRecorded).
 */
export const SAGA_EVENT_TYPES: readonly EventType[] = EVENT_TYPES.filter(
  (type) => EVENT_CATALOG[type].aggregateType === 'Order',
);
