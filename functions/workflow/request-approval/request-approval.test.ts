import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { migrationSetsOf } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { createEvent, type AtlasEvent, type CancellationReason } from '@atlas/events';
import { PAYLOAD_FIXTURES, TEST_CONTEXT } from '@atlas/events/testing';
import { serveConsumer, type ConsumerUnderTest } from '@atlas/messaging/testing';
import type { ApprovalRow } from '@atlas/workflow-domain';
import { requestApprovalConsumer } from './consumer.ts';

const THRESHOLD_CENTS = 1_000_000n;
let database: TestDatabase;
let consumer: ConsumerUnderTest;

const paid = (orderId: string, amount: string): AtlasEvent<'PaymentSucceeded'> =>
  createEvent(
    'PaymentSucceeded',
    { ...PAYLOAD_FIXTURES.PaymentSucceeded, orderId, amount, currency: 'USD' },
    { ...TEST_CONTEXT, producer: 'billing', correlationId: `saga-${orderId}` },
  );

const cancelled = (
  orderId: string,
  reason: CancellationReason = 'CUSTOMER_CANCELLED',
): AtlasEvent<'OrderCancelled'> =>
  createEvent('OrderCancelled', { orderId, reason }, { ...TEST_CONTEXT, producer: 'order' });

async function approvalOf(orderId: string): Promise<ApprovalRow | undefined> {
  const [row] = await database.sql<ApprovalRow[]>`
    select approval_id, order_id, status, amount_cents::text as amount_cents, currency,
      requested_at, decided_at, decided_by_subject, decided_by_username, comment, reason
    from approvals where order_id = ${orderId}`;
  return row;
}

async function requestsFor(orderId: string): Promise<AtlasEvent<'ApprovalRequested'>[]> {
  const rows = await database.sql<{ event: AtlasEvent<'ApprovalRequested'> }[]>`
    select event from atlas_outbox
    where aggregate_id = ${orderId} and event_type = 'ApprovalRequested'`;
  return rows.map((row) => row.event);
}

describe('requesting approvals for large paid orders', () => {
  beforeAll(async () => {
    database = await createTestDatabase(migrationSetsOf('workflow'));
    consumer = await serveConsumer(requestApprovalConsumer(THRESHOLD_CENTS), database.sql);
  });

  afterAll(async () => {
    await consumer.close();
    await database.drop();
  });

  it('requests nothing for a payment one cent below the threshold', async () => {
    const orderId = randomUUID();

    const payment = paid(orderId, '9999.99');
    expect((await consumer.deliver(payment)).status).toBe(200);

    expect(await approvalOf(orderId)).toBeUndefined();
    expect(await requestsFor(orderId)).toEqual([]);
    // Nothing to apply once, so no transaction and no inbox row: the payment is ignored.
    const [inbox] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from atlas_inbox where event_id = ${payment.eventId}`;
    expect(inbox?.n).toBe(0);
  });

  it('opens a PENDING approval and stages ApprovalRequested for a payment exactly at the threshold', async () => {
    const orderId = randomUUID();
    const payment = paid(orderId, '10000.00');

    expect((await consumer.deliver(payment)).status).toBe(200);

    const approval = await approvalOf(orderId);
    expect(approval).toMatchObject({ status: 'PENDING', amount_cents: '1000000', currency: 'USD' });
    const requests = await requestsFor(orderId);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      producer: 'workflow',
      correlationId: payment.correlationId,
      causationId: payment.eventId,
      aggregateId: orderId,
      payload: {
        approvalId: approval?.approval_id,
        orderId,
        amount: '10000.00',
        currency: 'USD',
      },
    });
  });

  it('requests an approval once per order, for a redelivery and for a second payment event', async () => {
    const orderId = randomUUID();
    const payment = paid(orderId, '25000.00');

    await consumer.deliver(payment);
    await consumer.deliver(payment);
    await consumer.deliver(paid(orderId, '25000.00'));

    expect(await requestsFor(orderId)).toHaveLength(1);
    expect((await approvalOf(orderId))?.status).toBe('PENDING');
  });

  it('requests nothing for a payment that arrives after the order was cancelled', async () => {
    const orderId = randomUUID();

    await consumer.deliver(cancelled(orderId, 'CUSTOMER_CANCELLED'));
    expect((await consumer.deliver(paid(orderId, '50000.00'))).status).toBe(200);

    expect(await approvalOf(orderId)).toBeUndefined();
    expect(await requestsFor(orderId)).toEqual([]);
  });

  it('closes a pending approval when its order is cancelled: REJECTED by the system with the reason, no event', async () => {
    const orderId = randomUUID();
    await consumer.deliver(paid(orderId, '12000.00'));

    expect((await consumer.deliver(cancelled(orderId, 'CUSTOMER_CANCELLED'))).status).toBe(200);

    expect(await approvalOf(orderId)).toMatchObject({
      status: 'REJECTED',
      decided_by_subject: 'system',
      decided_by_username: 'system',
      reason: 'CUSTOMER_CANCELLED',
    });
    const [outbox] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from atlas_outbox where aggregate_id = ${orderId}`;
    expect(outbox?.n).toBe(1);
  });

  it('closes a pending approval as soon as its order starts cancelling, before OrderCancelled', async () => {
    const orderId = randomUUID();
    await consumer.deliver(paid(orderId, '12000.00'));
    const releaseRequested = createEvent(
      'InventoryReleaseRequested',
      { orderId, reason: 'CUSTOMER_CANCELLED' },
      { ...TEST_CONTEXT, producer: 'order' },
    );

    expect((await consumer.deliver(releaseRequested)).status).toBe(200);
    expect(await approvalOf(orderId)).toMatchObject({
      status: 'REJECTED',
      reason: 'CUSTOMER_CANCELLED',
    });

    expect((await consumer.deliver(cancelled(orderId, 'CUSTOMER_CANCELLED'))).status).toBe(200);
    expect(await approvalOf(orderId)).toMatchObject({
      status: 'REJECTED',
      reason: 'CUSTOMER_CANCELLED',
    });
    expect(await requestsFor(orderId)).toHaveLength(1);
  });

  it('leaves a decided approval as it was when its order is cancelled afterwards', async () => {
    const orderId = randomUUID();
    await consumer.deliver(paid(orderId, '12000.00'));
    await database.sql`
      update approvals set status = 'GRANTED', decided_at = now(), decided_by_subject = 's',
        decided_by_username = 'approver'
      where order_id = ${orderId}`;

    await consumer.deliver(cancelled(orderId, 'PAYMENT_FAILED'));

    expect(await approvalOf(orderId)).toMatchObject({
      status: 'GRANTED',
      decided_by_username: 'approver',
      reason: null,
    });
  });

  it('opens exactly one approval or none when the payment and the cancellation race', async () => {
    const orderIds = Array.from({ length: 10 }, () => randomUUID());

    await Promise.all(
      orderIds.flatMap((orderId) => [
        consumer.deliver(paid(orderId, '30000.00')),
        consumer.deliver(cancelled(orderId)),
      ]),
    );

    for (const orderId of orderIds) {
      // Whichever came first, no approval may stay PENDING for a cancelled order.
      expect((await approvalOf(orderId))?.status ?? 'NONE').toMatch(/^(NONE|REJECTED)$/);
    }
  });
});
