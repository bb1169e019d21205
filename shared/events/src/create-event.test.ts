import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@atlas/errors';
import { EVENT_TYPES, topicOf, topicsOf } from './catalog.ts';
import { createEvent } from './create-event.ts';
import type { EventPayloads } from './payloads.ts';
import { avroTypeOf } from './schemas.ts';
import { PAYLOAD_FIXTURES, TEST_CONTEXT } from './testing/index.ts';

function rejection(action: () => unknown): ValidationError {
  try {
    action();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('createEvent', () => {
  it.each(EVENT_TYPES)('builds a %s event that its Avro schema accepts', (eventType) => {
    const event = createEvent(eventType, PAYLOAD_FIXTURES[eventType], TEST_CONTEXT);

    expect(avroTypeOf(eventType).isValid(event, { noUndeclaredFields: true })).toBe(true);
    expect(event.eventType).toBe(eventType);
    expect(event.eventVersion).toBe(1);
    expect(event.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(event.occurredAt).toISOString()).toBe(event.occurredAt);
    expect(event.payload).toEqual(PAYLOAD_FIXTURES[eventType]);
  });

  it('fills the envelope and derives the aggregate from the payload', () => {
    const at = new Date('2026-11-28T10:15:30.123Z');

    const placed = createEvent('OrderPlaced', PAYLOAD_FIXTURES.OrderPlaced, {
      ...TEST_CONTEXT,
      occurredAt: at,
    });
    const received = createEvent('StockReceived', PAYLOAD_FIXTURES.StockReceived, TEST_CONTEXT);
    const invoiced = createEvent('InvoiceCreated', PAYLOAD_FIXTURES.InvoiceCreated, TEST_CONTEXT);

    expect(placed).toMatchObject({
      occurredAt: '2026-11-28T10:15:30.123Z',
      producer: 'test',
      correlationId: TEST_CONTEXT.correlationId,
      causationId: TEST_CONTEXT.causationId,
      aggregateType: 'Order',
      aggregateId: PAYLOAD_FIXTURES.OrderPlaced.orderId,
    });
    expect(received).toMatchObject({ aggregateType: 'InventoryItem', aggregateId: 'SKU-TEAPOT' });
    expect(invoiced.aggregateId).toBe(PAYLOAD_FIXTURES.InvoiceCreated.orderId);
    expect(topicOf('InvoiceCreated')).toBe('atlas.billing.events.v1');
    expect(topicsOf(['OrderPlaced', 'InventoryReserved', 'OrderCancelled'])).toEqual([
      'atlas.order.events.v1',
      'atlas.inventory.events.v1',
    ]);
  });

  it('returns a deeply frozen event and leaves the caller payload unfrozen', () => {
    const payload = structuredClone(PAYLOAD_FIXTURES.OrderPlaced);

    const event = createEvent('OrderPlaced', payload, TEST_CONTEXT);

    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.payload.lines[0])).toBe(true);
    expect(Object.isFrozen(payload)).toBe(false);
  });

  it('rejects a payload of the wrong type and names the path', () => {
    const bad = {
      ...PAYLOAD_FIXTURES.OrderPlaced,
      lines: [{ sku: 'SKU-RED-MUG', quantity: 'two', unitPrice: '9.50' }],
    } as unknown as EventPayloads['OrderPlaced'];

    const error = rejection(() => createEvent('OrderPlaced', bad, TEST_CONTEXT));

    expect(error.violations).toContainEqual({
      path: 'payload.lines.0.quantity',
      message: 'expected int',
    });
    expect(error.message).toContain('payload.lines.0.quantity');
  });

  it('rejects an undeclared field and names it', () => {
    const bad = { ...PAYLOAD_FIXTURES.OrderConfirmed, discount: '1.00' };

    const error = rejection(() => createEvent('OrderConfirmed', bad, TEST_CONTEXT));

    expect(error.violations).toEqual([{ path: 'payload.discount', message: 'undeclared field' }]);
  });

  it('rejects an unknown cancellation reason, bad money and a bad currency', () => {
    const cancelled = {
      orderId: 'o-1',
      reason: 'BORED',
    } as unknown as EventPayloads['OrderCancelled'];
    const confirmed = { orderId: 'o-1', total: '19.9', currency: 'euro' };

    const reason = rejection(() => createEvent('OrderCancelled', cancelled, TEST_CONTEXT));
    const money = rejection(() => createEvent('OrderConfirmed', confirmed, TEST_CONTEXT));

    expect(reason.violations.map((violation) => violation.path)).toEqual(['payload.reason']);
    expect(money.violations.map((violation) => violation.path)).toEqual([
      'payload.total',
      'payload.currency',
    ]);
  });
});
