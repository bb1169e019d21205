import { describe, expect, it } from '@jest/globals';
import { sumLag } from './commands.ts';
import {
  buildTrace,
  findGaps,
  producers,
  waitingOnFromStatus,
  type TimelineEvent,
} from './trace.ts';

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
  it('puts order, events, causes and gaps together; traceId is null', () => {
    const trace = buildTrace({
      order: { orderId: 'o-1', status: 'CONFIRMED', updatedAt: at(4) },
      timeline: HAPPY,
    });
    expect(trace).toMatchObject({
      orderId: 'o-1',
      status: 'CONFIRMED',
      traceId: null,
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
