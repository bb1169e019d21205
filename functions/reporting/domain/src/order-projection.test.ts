import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createEvent, type AnyAtlasEvent, type EventPayloads } from '@atlas/events';
import { PAYLOAD_FIXTURES, TEST_CONTEXT } from '@atlas/events/testing';
import { emptyOrderView, orderIdOf, projectOrder, type OrderView } from './order-projection.ts';
import { advanceStatus } from './order-status.ts';

const orderId = randomUUID();
let minute = 0;

/** An event of this test's order, each one a minute after the previous. */
function sagaEvent<T extends Exclude<keyof EventPayloads, 'StockReceived' | 'AuditRecorded'>>(
  type: T,
  payload: Partial<EventPayloads[T]> = {},
): AnyAtlasEvent {
  minute += 1;
  return createEvent(
    type,
    { ...PAYLOAD_FIXTURES[type], ...payload, orderId },
    {
      ...TEST_CONTEXT,
      occurredAt: new Date(Date.UTC(2026, 10, 28, 10, minute)),
    },
  ) as AnyAtlasEvent;
}

function project(events: readonly AnyAtlasEvent[]): OrderView {
  const [first] = events;
  if (!first) throw new Error('no events');
  return events.reduce(projectOrder, emptyOrderView(orderId, first.occurredAt));
}

const placed = sagaEvent('OrderPlaced', { total: '43.99', customerId: 'cust-7' });
const reserved = sagaEvent('InventoryReserved');
const invoiced = sagaEvent('InvoiceCreated');
const paid = sagaEvent('PaymentSucceeded');
const approvalRequested = sagaEvent('ApprovalRequested');
const granted = sagaEvent('ApprovalGranted');
const confirmed = sagaEvent('OrderConfirmed', { total: '43.99' });

describe('the orders projection', () => {
  it('follows the happy path to CONFIRMED with every field the events carry', () => {
    const view = project([placed, reserved, invoiced, paid, approvalRequested, granted, confirmed]);

    expect(view).toEqual({
      orderId,
      status: 'CONFIRMED',
      customerId: 'cust-7',
      currency: 'EUR',
      totalCents: 4399n,
      invoiceId: PAYLOAD_FIXTURES.InvoiceCreated.invoiceId,
      approvalId: PAYLOAD_FIXTURES.ApprovalRequested.approvalId,
      cancellationReason: null,
      placedAt: placed.occurredAt,
      firstEventAt: placed.occurredAt,
      updatedAt: confirmed.occurredAt,
      confirmedAt: confirmed.occurredAt,
      cancelledAt: null,
    });
  });

  it('reaches the same view whatever order the events arrive in', () => {
    const inOrder = project([placed, reserved, invoiced, paid, confirmed]);
    const shuffled = project([confirmed, invoiced, paid, placed, reserved]);
    const reversed = project([confirmed, paid, invoiced, reserved, placed]);

    expect(shuffled).toEqual(inOrder);
    expect(reversed).toEqual(inOrder);
  });

  it('never moves the status back when an earlier step arrives late', () => {
    expect(project([placed, invoiced]).status).toBe('INVOICED');
    expect(project([placed, invoiced, reserved]).status).toBe('INVOICED');
    expect(project([placed, reserved, sagaEvent('InventoryBackordered')]).status).toBe(
      'INVENTORY_RESERVED',
    );
  });

  it('changes nothing when an event is delivered again', () => {
    const once = project([placed, reserved, invoiced]);
    expect(project([placed, reserved, invoiced, reserved, invoiced, placed])).toEqual(once);
  });

  it('takes the creation time from OrderPlaced, and from the earliest event until it arrives', () => {
    const early = project([invoiced, reserved]);
    expect(early.placedAt).toBeNull();
    expect(early.firstEventAt).toBe(reserved.occurredAt);
    expect(early.customerId).toBeNull();
    expect(projectOrder(early, placed).placedAt).toBe(placed.occurredAt);
  });

  it('shows CANCELLED with its reason only on OrderCancelled, and keeps it for good', () => {
    const failed = project([placed, reserved, invoiced, sagaEvent('PaymentFailed')]);
    expect(failed.status).toBe('INVOICED');

    const cancelled = projectOrder(
      failed,
      sagaEvent('OrderCancelled', { reason: 'PAYMENT_FAILED' }),
    );
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_FAILED' });
    expect(cancelled.cancelledAt).not.toBeNull();

    const late = [sagaEvent('InventoryReleased'), sagaEvent('InvoiceVoided'), paid, confirmed];
    expect(late.reduce(projectOrder, cancelled).status).toBe('CANCELLED');
  });

  it('keeps the order total from OrderConfirmed when OrderPlaced has not arrived', () => {
    const view = project([confirmed]);
    expect(view).toMatchObject({ status: 'CONFIRMED', totalCents: 4399n, currency: 'EUR' });
  });

  it('knows no order for the events of other aggregates', () => {
    const received = createEvent('StockReceived', PAYLOAD_FIXTURES.StockReceived, TEST_CONTEXT);
    const audited = createEvent('AuditRecorded', PAYLOAD_FIXTURES.AuditRecorded, TEST_CONTEXT);
    expect(orderIdOf(received)).toBeNull();
    expect(orderIdOf(audited)).toBeNull();
    expect(orderIdOf(placed)).toBe(orderId);
  });
});

describe('advancing a status', () => {
  it.each([
    ['PENDING', 'PAID', 'PAID'],
    ['PAID', 'INVOICED', 'PAID'],
    ['AWAITING_APPROVAL', 'CONFIRMED', 'CONFIRMED'],
    ['CANCELLED', 'CONFIRMED', 'CANCELLED'],
  ] as const)('from %s by an event implying %s gives %s', (current, implied, expected) => {
    expect(advanceStatus(current, implied)).toBe(expected);
  });
});
