import { describe, expect, it } from '@jest/globals';
import { sumLag } from './commands.ts';
import {
  buildTrace,
  findGaps,
  producers,
  waitingOnFromStatus,
  type TimelineEvent,
} from './trace.ts';
import { orderSpans, type ZipkinSpan } from './spans.ts';

const REQUEST = 'req-1';
const at = (seconds: number): string =>
  new Date(Date.UTC(2026, 10, 28, 10, 0, seconds)).toISOString();

function event(
  eventId: string,
  eventType: string,
  producer: string,
  seconds: number,
  causationId: string,
  correlationId = REQUEST,
): TimelineEvent {
  return { eventId, eventType, producer, occurredAt: at(seconds), causationId, correlationId };
}

/** A happy path: every event caused by the one before, the payment by the card callback. */
const PLACED = event('e1', 'OrderPlaced', 'order', 0, REQUEST);
const RESERVED = event('e2', 'InventoryReserved', 'inventory', 1, 'e1');
const HAPPY = [
  PLACED,
  RESERVED,
  event('e3', 'InvoiceCreated', 'billing', 2, 'e2'),
  event('e4', 'PaymentSucceeded', 'billing', 3, 'cb_123'),
  event('e5', 'OrderConfirmed', 'order', 4, 'e4'),
];

describe('findGaps', () => {
  it('finds none in a complete saga', () => {
    expect(findGaps(HAPPY)).toEqual([]);
  });

  it('accepts events caused by a request of their own (a receipt fills a backorder, an approval)', () => {
    const events = [
      event('e1', 'OrderPlaced', 'order', 0, REQUEST),
      event('e2', 'InventoryBackordered', 'inventory', 1, 'e1'),
      event('e3', 'InventoryReserved', 'inventory', 20, 'req-receipt', 'req-receipt'),
    ];
    expect(findGaps(events)).toEqual([]);
  });

  it('calls out an event whose cause is no event of the timeline and no request', () => {
    const events = [PLACED, RESERVED, event('e3', 'InvoiceCreated', 'billing', 2, 'lost')];
    expect(findGaps(events)).toEqual([
      expect.objectContaining({
        kind: 'missing-cause',
        eventId: 'e3',
        message: expect.stringMatching(/lost/),
      }),
    ]);
  });

  it('does not excuse an unknown cause of a non-payment event as a callback', () => {
    const events = [PLACED, event('e9', 'OrderConfirmed', 'order', 1, 'cb_x')];
    expect(findGaps(events).map((gap) => gap.kind)).toEqual(['missing-cause']);
  });

  it('calls out a missing OrderPlaced', () => {
    expect(findGaps(HAPPY.slice(1)).map((gap) => gap.kind)).toContain('missing-placement');
  });

  it('calls out more than 30 s between consecutive events, not 30 s exactly', () => {
    const events = [
      event('e1', 'OrderPlaced', 'order', 0, REQUEST),
      event('e2', 'InventoryReserved', 'inventory', 30, 'e1'),
      event('e3', 'InvoiceCreated', 'billing', 75, 'e2'),
    ];
    expect(findGaps(events)).toEqual([
      {
        kind: 'time',
        eventId: 'e3',
        seconds: 45,
        message: '45 s between InventoryReserved and InvoiceCreated',
      },
    ]);
  });
});

describe('buildTrace', () => {
  it('puts order, events, causes and gaps together; traceId is null without spans', () => {
    const trace = buildTrace({
      order: { orderId: 'o-1', status: 'CONFIRMED', updatedAt: at(4) },
      timeline: HAPPY,
    });
    expect(trace).toMatchObject({
      orderId: 'o-1',
      status: 'CONFIRMED',
      traceId: null,
      traceUrl: null,
      traceIds: [],
      correlationId: REQUEST,
      waitingOn: null,
      gaps: [],
    });
    expect(
      trace.events.map((e) => [e.eventType, e.causedBy, e.causeEventType, e.offsetMs]),
    ).toEqual([
      ['OrderPlaced', 'request', null, 0],
      ['InventoryReserved', 'event', 'OrderPlaced', 1000],
      ['InvoiceCreated', 'event', 'InventoryReserved', 2000],
      ['PaymentSucceeded', 'callback', null, 3000],
      ['OrderConfirmed', 'event', 'PaymentSucceeded', 4000],
    ]);
    expect(trace.events.every((e) => e.deliveries.length === 0)).toBe(true);
    expect(producers(trace)).toEqual(['order', 'inventory', 'billing']);
  });

  it('takes what it waits on and the dead letters from the stuck-orders view', () => {
    const trace = buildTrace({
      order: { orderId: 'o-1', status: 'INVENTORY_RESERVED' },
      timeline: HAPPY.slice(0, 2),
      stuck: {
        orderId: 'o-1',
        status: 'INVENTORY_RESERVED',
        updatedAt: at(1),
        stuckForSeconds: 600,
        waitingOn: { service: 'billing', step: 'InvoiceCreated', legitimate: false },
        deadLetters: [
          {
            id: 'inventory-0-7',
            eventType: 'InventoryReserved',
            consumer: 'invoicing',
            failedAt: at(5),
            errorCode: 503,
          },
        ],
      },
    });
    expect(trace.waitingOn).toEqual({
      service: 'billing',
      step: 'InvoiceCreated',
      legitimate: false,
      since: at(1),
      forSeconds: 600,
      source: 'stuck-orders',
    });
    expect(trace.deadLetters).toHaveLength(1);
    expect(trace.events[1]?.deliveries).toEqual([
      {
        consumer: 'invoicing',
        outcome: 'dead-lettered',
        deadLetterId: 'inventory-0-7',
        failedAt: at(5),
        errorCode: 503,
      },
    ]);
  });

  it('infers the wait from the status when the order is not listed as stuck', () => {
    const trace = buildTrace({
      order: { orderId: 'o-1', status: 'PENDING', updatedAt: at(0) },
      timeline: HAPPY.slice(0, 1),
      now: Date.parse(at(3)),
    });
    expect(trace.waitingOn).toMatchObject({
      service: 'inventory',
      forSeconds: 3,
      source: 'status',
    });
    expect(waitingOnFromStatus('CONFIRMED', undefined)).toBeNull();
    expect(waitingOnFromStatus('AWAITING_APPROVAL', undefined)?.legitimate).toBe(true);
  });
});

/** A span of the order's trace as Zipkin returns it. */
function span(fields: Partial<ZipkinSpan> & { id: string; traceId: string }): ZipkinSpan {
  return { timestamp: 1_764_000_000_000_000, duration: 4_200, ...fields };
}

const PLACEMENT_TRACE = [
  span({ traceId: 't-place', id: 'a', kind: 'SERVER', name: 'post /v1/orders' }),
  span({
    traceId: 't-place',
    id: 'b',
    parentId: 'a',
    kind: 'PRODUCER',
    duration: 2_000,
    tags: {
      'atlas.event_type': 'OrderPlaced',
      'atlas.event_id': 'e1',
      'atlas.staged_at': new Date(1_764_000_000_000 - 3).toISOString(),
    },
  }),
  // The consumer's span under the first delivery: its inbox applied it.
  span({
    traceId: 't-place',
    id: 'c1',
    parentId: 'c',
    kind: 'SERVER',
    tags: { 'atlas.inbox_outcome': 'applied' },
  }),
  span({
    traceId: 't-place',
    id: 'c',
    parentId: 'b',
    kind: 'CONSUMER',
    timestamp: 1_764_000_000_010_000,
    duration: 12_345,
    tags: {
      'atlas.event_id': 'e1',
      'atlas.consumer': 'inventory-reservations',
      'atlas.delivery_outcome': 'delivered',
      'atlas.delivery_attempts': '3',
    },
  }),
  span({
    traceId: 't-place',
    id: 'd',
    parentId: 'b',
    kind: 'CONSUMER',
    timestamp: 1_764_000_000_005_000,
    tags: {
      'atlas.event_id': 'e1',
      'atlas.consumer': 'billing-invoicing',
      'atlas.delivery_outcome': 'dead_lettered',
      'atlas.delivery_attempts': '11',
    },
  }),
];
// An approver's decision: later, a trace of its own.
const DECISION_TRACE = [
  span({
    traceId: 't-decide',
    id: 'x',
    kind: 'SERVER',
    name: 'post /v1/approvals/:id/approve',
    timestamp: 1_764_000_100_000_000,
  }),
];

describe('orderSpans', () => {
  it("takes the placement trace as the order's trace and each event's deliveries in time order", () => {
    const found = orderSpans([DECISION_TRACE, PLACEMENT_TRACE]);

    expect(found.traceId).toBe('t-place');
    expect(found.traceIds).toEqual(['t-place', 't-decide']);
    expect(found.deliveries.get('e1')).toEqual([
      {
        consumer: 'billing-invoicing',
        outcome: 'dead_lettered',
        attempts: 11,
        latencyMs: 4.2,
        at: new Date(1_764_000_000_005).toISOString(),
        inbox: null,
      },
      {
        consumer: 'inventory-reservations',
        outcome: 'delivered',
        attempts: 3,
        latencyMs: 12.3,
        at: new Date(1_764_000_000_010).toISOString(),
        inbox: 'applied',
      },
    ]);
    // Staged 3 ms before the publish span began, acknowledged 2 ms after.
    expect(found.publications.get('e1')).toEqual({
      publishedAt: new Date(1_764_000_000_002).toISOString(),
      outboxWaitMs: 5,
    });
  });

  it('has no trace id when no trace holds the placement (sampled out, or forgotten)', () => {
    expect(orderSpans([DECISION_TRACE])).toMatchObject({ traceId: null, traceIds: ['t-decide'] });
    expect(orderSpans([])).toMatchObject({ traceId: null, traceIds: [] });
  });

  it('shows a traced delivery that was dead-lettered once, as its dead letter', () => {
    const trace = buildTrace({
      order: { orderId: 'o-1', status: 'PENDING', updatedAt: at(1) },
      timeline: HAPPY.slice(0, 1),
      stuck: {
        orderId: 'o-1',
        status: 'PENDING',
        updatedAt: at(1),
        stuckForSeconds: 600,
        waitingOn: { service: 'billing', step: 'InvoiceCreated', legitimate: false },
        deadLetters: [
          {
            id: 'order-0-3',
            eventType: 'OrderPlaced',
            consumer: 'billing-invoicing',
            failedAt: at(5),
            errorCode: 503,
          },
        ],
      },
      spans: { found: orderSpans([PLACEMENT_TRACE]), traceUrl: (traceId) => traceId },
      now: Date.parse(at(6)),
    });

    expect(
      trace.events[0]?.deliveries.map((delivery) => [delivery.consumer, delivery.outcome]),
    ).toEqual([
      ['inventory-reservations', 'delivered'],
      ['billing-invoicing', 'dead-lettered'],
    ]);
  });

  it('gives buildTrace the trace id, its link and the deliveries before the dead letters', () => {
    const trace = buildTrace({
      order: { orderId: 'o-1', status: 'INVENTORY_RESERVED', updatedAt: at(1) },
      timeline: HAPPY.slice(0, 1),
      spans: {
        found: orderSpans([PLACEMENT_TRACE]),
        traceUrl: (traceId) => `http://zipkin.test/zipkin/traces/${traceId}`,
      },
      now: Date.parse(at(2)),
    });

    expect(trace).toMatchObject({
      traceId: 't-place',
      traceUrl: 'http://zipkin.test/zipkin/traces/t-place',
      traceIds: ['t-place'],
    });
    expect(trace.events[0]?.deliveries.map((delivery) => delivery.consumer)).toEqual([
      'billing-invoicing',
      'inventory-reservations',
    ]);
  });
});

describe('sumLag', () => {
  it('sums each group over its partitions, most behind first', () => {
    expect(
      sumLag([
        { group: 'b', topic: 't1', partition: 0, lag: 0 },
        { group: 'a', topic: 't1', partition: 0, lag: 2 },
        { group: 'a', topic: 't2', partition: 1, lag: 3 },
        { group: 'c', topic: 't1', partition: 0, lag: 0 },
      ]),
    ).toEqual([
      {
        group: 'a',
        lag: 5,
        topics: ['t1', 't2'],
        partitions: [
          { topic: 't1', partition: 0, lag: 2 },
          { topic: 't2', partition: 1, lag: 3 },
        ],
      },
      { group: 'b', lag: 0, topics: ['t1'], partitions: [{ topic: 't1', partition: 0, lag: 0 }] },
      { group: 'c', lag: 0, topics: ['t1'], partitions: [{ topic: 't1', partition: 0, lag: 0 }] },
    ]);
  });
});
