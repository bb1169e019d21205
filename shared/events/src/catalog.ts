import type { EventPayloads, EventType } from './payloads.ts';

/** The four event-producing domains; each owns one topic and one dead-letter topic. */
export type Domain = 'order' | 'inventory' | 'billing' | 'workflow';

/** Topic of each domain's events (contract §5). Versioned: a breaking change means a new topic. */
export const EVENT_TOPICS = {
  order: 'atlas.order.events.v1',
  inventory: 'atlas.inventory.events.v1',
  billing: 'atlas.billing.events.v1',
  workflow: 'atlas.workflow.events.v1',
} as const satisfies Record<Domain, string>;

/** Dead-letter topic of each domain: events that failed delivery after every retry. */
export const DLQ_TOPICS = {
  order: 'atlas.order.dlq.v1',
  inventory: 'atlas.inventory.dlq.v1',
  billing: 'atlas.billing.dlq.v1',
  workflow: 'atlas.workflow.dlq.v1',
} as const satisfies Record<Domain, string>;

export type EventTopic = (typeof EVENT_TOPICS)[Domain];

interface CatalogEntry<T extends EventType> {
  readonly domain: Domain;
  /** Major version written into `eventVersion`; bumped only together with a new topic. */
  readonly version: number;
  readonly aggregateType: string;
  /** The aggregate id is also the Kafka record key, so it decides which events stay in order. */
  readonly aggregateId: (payload: EventPayloads[T]) => string;
}

// Every saga event is keyed by its order, whichever service emits it: one order's events must
// land in one partition to stay in order (contract §5), so their aggregate is the Order.
const saga = <T extends EventType>(domain: Domain): CatalogEntry<T> => ({
  domain,
  version: 1,
  aggregateType: 'Order',
  aggregateId: (payload) => (payload as { readonly orderId: string }).orderId,
});

/** Where each event type lives and how its aggregate is derived from the payload. */
export const EVENT_CATALOG: { readonly [K in EventType]: CatalogEntry<K> } = {
  OrderPlaced: saga('order'),
  OrderConfirmed: saga('order'),
  OrderCancelled: saga('order'),
  InventoryReleaseRequested: saga('order'),
  InvoiceVoidRequested: saga('order'),
  PaymentRefundRequested: saga('order'),
  InventoryReserved: saga('inventory'),
  InventoryBackordered: saga('inventory'),
  InventoryReleased: saga('inventory'),
  StockReceived: {
    domain: 'inventory',
    version: 1,
    aggregateType: 'InventoryItem',
    aggregateId: (payload) => payload.sku,
  },
  InvoiceCreated: saga('billing'),
  PaymentSucceeded: saga('billing'),
  PaymentFailed: saga('billing'),
  PaymentRefunded: saga('billing'),
  InvoiceVoided: saga('billing'),
  ApprovalRequested: saga('workflow'),
  ApprovalGranted: saga('workflow'),
  ApprovalRejected: saga('workflow'),
  // Keyed by the audited entity so one entity's trail stays in order. Not 'Order' even when the
  // entity is an order: the saga's consumers and the order timeline read aggregateType 'Order'.
  AuditRecorded: {
    domain: 'workflow',
    version: 1,
    aggregateType: 'AuditedEntity',
    aggregateId: (payload) => payload.entityId ?? payload.entityType,
  },
};

/** Every event type, in catalog order. */
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as readonly EventType[];

/** True when `value` names a known event type. */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(EVENT_CATALOG, value);
}

/**
 * The topic an event type is published to.
 *
 * @example
 * topicOf('PaymentFailed'); // 'atlas.billing.events.v1'
 */
export function topicOf(eventType: EventType): EventTopic {
  return EVENT_TOPICS[EVENT_CATALOG[eventType].domain];
}

/**
 * The topics that carry `eventTypes`, each once, in the order the event types first name them:
 * what a KafkaSource of a function consuming them reads (function.json declares event types only).
 *
 * @example
 * topicsOf(['OrderPlaced', 'InventoryReserved', 'OrderCancelled']);
 * // ['atlas.order.events.v1', 'atlas.inventory.events.v1']
 */
export function topicsOf(eventTypes: readonly EventType[]): EventTopic[] {
  return [...new Set(eventTypes.map(topicOf))];
}
