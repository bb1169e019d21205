import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { transaction, migrationSetsOf } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { createEvent, type AtlasEvent, type EventPayloads } from '@atlas/events';
import { assertSameEventTypes } from '@atlas/messaging';
import { serveConsumer, type ConsumerUnderTest } from '@atlas/messaging/testing';
import {
  findOrder,
  insertOrder,
  toOrderView,
  type OrderView,
  type SagaEventType,
} from '@atlas/order-domain';
import { cancelOrder } from '../cancel-order/cancel-order.ts';
import definition from './function.json' with { type: 'json' };
import { sagaOrchestrator } from './saga-orchestrator.ts';

// The orchestrator as its process runs it (eventFunction: inbox + handler + outbox in one
// transaction), fed binary CloudEvents over HTTP as a KafkaSource feeds it, on a fresh database.
const SMALL = '19.99';
const LARGE = '10000.00';
let database: TestDatabase;
let consumer: ConsumerUnderTest;

async function deliver(event: AtlasEvent): Promise<number> {
  const response = await consumer.deliver(event);
  await response.arrayBuffer();
  return response.status;
}

/** An order as place-order stores it, at `total` (one line). */
async function newOrder(total: string): Promise<string> {
  const orderId = randomUUID();
  await transaction(database.sql, (tx) =>
    insertOrder(tx, {
      id: orderId,
      customerId: 'cust-saga',
      currency: 'EUR',
      lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: total }],
      totalCents: BigInt(total.replace('.', '')),
    }),
  );
  return orderId;
}

const PRODUCERS: Record<SagaEventType, string> = {
  InventoryReserved: 'inventory',
  InventoryBackordered: 'inventory',
  InventoryReleased: 'inventory',
  InvoiceCreated: 'billing',
  PaymentSucceeded: 'billing',
  PaymentFailed: 'billing',
  PaymentRefunded: 'billing',
  InvoiceVoided: 'billing',
  ApprovalRequested: 'workflow',
  ApprovalGranted: 'workflow',
  ApprovalRejected: 'workflow',
};

/** The payload each service sends for `orderId` (amounts do not matter to the saga). */
function payloadOf(type: SagaEventType, orderId: string): EventPayloads[SagaEventType] {
  const invoiceId = `inv-${orderId}`;
  const approvalId = `apr-${orderId}`;
  const lines = [{ sku: 'SKU-1', quantity: 1 }];
  const money = { amount: SMALL, currency: 'EUR' };
  const payloads: { [K in SagaEventType]: EventPayloads[K] } = {
    InventoryReserved: { orderId, lines },
    InventoryBackordered: { orderId, lines: [{ sku: 'SKU-1', requested: 1, available: 0 }] },
    InventoryReleased: { orderId, lines, reason: 'released' },
    InvoiceCreated: { orderId, invoiceId, ...money },
    PaymentSucceeded: { orderId, invoiceId, paymentId: `pay-${orderId}`, ...money },
    PaymentFailed: { orderId, invoiceId, reason: 'card declined' },
    PaymentRefunded: { orderId, invoiceId, refundId: `ref-${orderId}`, ...money },
    InvoiceVoided: { orderId, invoiceId, status: 'VOIDED' },
    ApprovalRequested: { approvalId, orderId, ...money },
    ApprovalGranted: { approvalId, orderId, decidedBy: 'approver', comment: null },
    ApprovalRejected: { approvalId, orderId, decidedBy: 'approver', reason: 'too much' },
  };
  return payloads[type];
}

const sagaEvent = (type: SagaEventType, orderId: string): AtlasEvent =>
  createEvent(type, payloadOf(type, orderId), {
    producer: PRODUCERS[type],
    correlationId: `saga-${orderId}`,
    causationId: randomUUID(),
  });

/** Delivers each event in turn; every one must be acknowledged. */
async function send(orderId: string, ...types: SagaEventType[]): Promise<void> {
  for (const type of types) expect(await deliver(sagaEvent(type, orderId))).toBe(200);
}

async function viewOf(orderId: string): Promise<OrderView> {
  const row = await findOrder(database.sql, orderId);
  if (!row) throw new Error(`order ${orderId} vanished`);
  return toOrderView(row);
}

const emitted = async (orderId: string): Promise<string[]> =>
  (
    await database.sql<{ event_type: string }[]>`
      select event_type from atlas_outbox where aggregate_id = ${orderId} order by id`
  ).map((row) => row.event_type);

describe('the saga orchestrator', () => {
  beforeAll(async () => {
    database = await createTestDatabase(migrationSetsOf('order'));
    consumer = await serveConsumer(sagaOrchestrator({ approvalThreshold: LARGE }), database.sql);
  });

  afterAll(async () => {
    await consumer.close();
    await database.drop();
  });

  it('handles exactly the event types its catalog entry subscribes to', () => {
    const { eventTypes } = sagaOrchestrator({ approvalThreshold: LARGE });
    expect(() => assertSameEventTypes(definition, eventTypes)).not.toThrow();
  });

  describe('on the happy path', () => {
    it('confirms an order below the threshold once it is paid, caused by the payment', async () => {
      const orderId = await newOrder(SMALL);
      await send(orderId, 'InventoryReserved', 'InvoiceCreated');
      expect(await viewOf(orderId)).toMatchObject({
        status: 'INVOICED',
        invoiceId: `inv-${orderId}`,
      });

      const payment = sagaEvent('PaymentSucceeded', orderId);
      expect(await deliver(payment)).toBe(200);

      expect((await viewOf(orderId)).status).toBe('CONFIRMED');
      const [confirmed] = await database.sql<{ event: AtlasEvent }[]>`
        select event from atlas_outbox where aggregate_id = ${orderId}`;
      expect(confirmed?.event).toMatchObject({
        eventType: 'OrderConfirmed',
        producer: 'order',
        correlationId: payment.correlationId,
        causationId: payment.eventId,
        payload: { orderId, total: SMALL, currency: 'EUR' },
      });
    });

    it('waits for an approval when the total equals the threshold, then confirms', async () => {
      const orderId = await newOrder(LARGE);
      await send(orderId, 'InventoryReserved', 'InvoiceCreated', 'PaymentSucceeded');
      expect((await viewOf(orderId)).status).toBe('PAID');

      await send(orderId, 'ApprovalRequested');
      expect(await viewOf(orderId)).toMatchObject({
        status: 'AWAITING_APPROVAL',
        approvalId: `apr-${orderId}`,
      });
      expect(await emitted(orderId)).toEqual([]);

      await send(orderId, 'ApprovalGranted');
      expect((await viewOf(orderId)).status).toBe('CONFIRMED');
      expect(await emitted(orderId)).toEqual(['OrderConfirmed']);
    });

    it('reserves a backordered order when stock arrives and goes on', async () => {
      const orderId = await newOrder(SMALL);
      await send(orderId, 'InventoryBackordered');
      expect((await viewOf(orderId)).status).toBe('BACKORDERED');

      await send(orderId, 'InventoryReserved');
      expect((await viewOf(orderId)).status).toBe('INVENTORY_RESERVED');

      await send(orderId, 'InvoiceCreated', 'PaymentSucceeded');
      expect((await viewOf(orderId)).status).toBe('CONFIRMED');
      expect(await emitted(orderId)).toEqual(['OrderConfirmed']);
    });

    it('takes an invoice that overtakes the reservation, and never moves back', async () => {
      const orderId = await newOrder(SMALL);
      await send(orderId, 'InvoiceCreated', 'InventoryReserved');
      expect((await viewOf(orderId)).status).toBe('INVOICED');
    });
  });

  describe('on compensation', () => {
    it('cancels a declined order after releasing its stock and voiding its invoice', async () => {
      const orderId = await newOrder(SMALL);
      await send(orderId, 'InventoryReserved', 'InvoiceCreated', 'PaymentFailed');
      expect(await emitted(orderId)).toEqual(['InventoryReleaseRequested', 'InvoiceVoidRequested']);
      expect((await viewOf(orderId)).status).toBe('INVOICED');

      await send(orderId, 'InventoryReleased');
      expect((await viewOf(orderId)).status).toBe('INVOICED');
      await send(orderId, 'InvoiceVoided');

      expect(await viewOf(orderId)).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: 'PAYMENT_FAILED',
      });
      expect((await emitted(orderId)).at(-1)).toBe('OrderCancelled');
    });

    it('refunds, voids and releases a rejected order, then cancels it', async () => {
      const orderId = await newOrder(LARGE);
      await send(orderId, 'InventoryReserved', 'InvoiceCreated', 'PaymentSucceeded');
      await send(orderId, 'ApprovalRequested', 'ApprovalRejected');
      expect(await emitted(orderId)).toEqual([
        'InventoryReleaseRequested',
        'PaymentRefundRequested',
      ]);

      await send(orderId, 'PaymentRefunded', 'InvoiceVoided', 'InventoryReleased');

      expect(await viewOf(orderId)).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: 'APPROVAL_REJECTED',
      });
      expect(await emitted(orderId)).toEqual([
        'InventoryReleaseRequested',
        'PaymentRefundRequested',
        'OrderCancelled',
      ]);
    });
  });

  describe('when the customer cancels', () => {
    const released: readonly SagaEventType[] = ['InventoryReleased'];
    it.each([
      ['PENDING', [], released, []],
      ['BACKORDERED', ['InventoryBackordered'], released, []],
      // The invoice appears only after the cancel: billing is asked then.
      [
        'INVENTORY_RESERVED',
        ['InventoryReserved'],
        ['InventoryReleased', 'InvoiceCreated', 'InvoiceVoided'],
        ['InvoiceVoidRequested'],
      ],
      [
        'INVOICED',
        ['InventoryReserved', 'InvoiceCreated'],
        ['InvoiceVoided', 'InventoryReleased'],
        ['InvoiceVoidRequested'],
      ],
      [
        'PAID',
        ['InventoryReserved', 'InvoiceCreated', 'PaymentSucceeded'],
        ['PaymentRefunded', 'InvoiceVoided', 'InventoryReleased'],
        ['PaymentRefundRequested'],
      ],
      [
        'AWAITING_APPROVAL',
        ['InventoryReserved', 'InvoiceCreated', 'PaymentSucceeded', 'ApprovalRequested'],
        ['InventoryReleased', 'PaymentRefunded', 'InvoiceVoided'],
        ['PaymentRefundRequested'],
      ],
    ] as [string, SagaEventType[], readonly SagaEventType[], string[]][])(
      'from %s compensates what was done and ends CANCELLED(CUSTOMER_CANCELLED)',
      async (status, before, answers, billingRequest) => {
        const orderId = await newOrder(LARGE);
        await send(orderId, ...before);
        expect((await viewOf(orderId)).status).toBe(status);

        await transaction(database.sql, (tx) => cancelOrder(tx, orderId, `cancel-${orderId}`));
        await send(orderId, ...answers);

        expect(await viewOf(orderId)).toMatchObject({
          status: 'CANCELLED',
          cancellationReason: 'CUSTOMER_CANCELLED',
        });
        expect(await emitted(orderId)).toEqual([
          'InventoryReleaseRequested',
          ...billingRequest,
          'OrderCancelled',
        ]);
      },
    );
  });

  describe('when an event is redelivered or foreign', () => {
    it('applies a redelivered event (same eventId) once', async () => {
      const orderId = await newOrder(SMALL);
      await send(orderId, 'InventoryReserved', 'InvoiceCreated');
      const payment = sagaEvent('PaymentSucceeded', orderId);

      expect([await deliver(payment), await deliver(payment)]).toEqual([200, 200]);

      expect(await emitted(orderId)).toEqual(['OrderConfirmed']);
      const inbox = await database.sql`
        select 1 from atlas_inbox where consumer = 'saga-orchestrator' and event_id = ${payment.eventId}`;
      expect(inbox).toHaveLength(1);
    });

    it('keeps the order untouched by a second decline carrying a new eventId', async () => {
      const orderId = await newOrder(SMALL);
      await send(orderId, 'InventoryReserved', 'InvoiceCreated', 'PaymentFailed', 'PaymentFailed');
      expect(await emitted(orderId)).toEqual(['InventoryReleaseRequested', 'InvoiceVoidRequested']);
    });

    it('dead-letters an event for an unknown order at once (a 4xx the source does not retry)', async () => {
      const orderId = randomUUID();
      const event = sagaEvent('InventoryReserved', orderId);

      expect(await deliver(event)).toBe(422);

      expect(
        await database.sql`select 1 from atlas_inbox where event_id = ${event.eventId}`,
      ).toHaveLength(0);
    });
  });

  describe('when an event does not fit the order (forged or foreign)', () => {
    const approvalEvent = (
      type: 'ApprovalGranted' | 'ApprovalRequested',
      orderId: string,
      approvalId: string,
    ): AtlasEvent =>
      createEvent(
        type,
        { ...(payloadOf(type, orderId) as EventPayloads[typeof type]), approvalId },
        { producer: 'workflow', correlationId: `saga-${orderId}`, causationId: randomUUID() },
      );

    it('refuses an ApprovalGranted for a PENDING order: nothing changes, dead-lettered', async () => {
      const orderId = await newOrder(LARGE);

      expect(await deliver(sagaEvent('ApprovalGranted', orderId))).toBe(422);

      expect((await viewOf(orderId)).status).toBe('PENDING');
      expect(await emitted(orderId)).toEqual([]);
    });

    it('refuses a decision on an approval other than the one the order waits on', async () => {
      const orderId = await newOrder(LARGE);
      await send(orderId, 'InventoryReserved', 'InvoiceCreated', 'PaymentSucceeded');
      await send(orderId, 'ApprovalRequested');

      expect(await deliver(approvalEvent('ApprovalGranted', orderId, 'apr-forged'))).toBe(422);

      expect((await viewOf(orderId)).status).toBe('AWAITING_APPROVAL');
      expect(await emitted(orderId)).toEqual([]);
    });

    it('refuses an approval request for an order below the threshold', async () => {
      const orderId = await newOrder(SMALL);
      expect(await deliver(sagaEvent('ApprovalRequested', orderId))).toBe(422);
      expect((await viewOf(orderId)).status).toBe('PENDING');
    });

    it("refuses a payment of another invoice than the order's", async () => {
      const orderId = await newOrder(SMALL);
      await send(orderId, 'InventoryReserved', 'InvoiceCreated');
      const foreign = createEvent(
        'PaymentSucceeded',
        {
          ...(payloadOf('PaymentSucceeded', orderId) as EventPayloads['PaymentSucceeded']),
          invoiceId: 'inv-other',
        },
        { producer: 'billing', correlationId: `saga-${orderId}`, causationId: randomUUID() },
      );

      expect(await deliver(foreign)).toBe(422);

      expect((await viewOf(orderId)).status).toBe('INVOICED');
    });

    it('still takes a payment that overtakes its invoice (topics are not ordered)', async () => {
      const orderId = await newOrder(SMALL);
      await send(orderId, 'InventoryReserved', 'PaymentSucceeded', 'InvoiceCreated');
      expect((await viewOf(orderId)).status).toBe('CONFIRMED');
    });
  });
});
