import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEvent, type AtlasEvent, type AuditRecordedPayload } from '@atlas/events';
import { PAYLOAD_FIXTURES, TEST_CONTEXT } from '@atlas/events/testing';
import { startTestApi, type ServiceTestApi } from '@atlas/http/testing';
import { serveConsumer, type ConsumerUnderTest } from '@atlas/messaging/testing';
import { listAuditRoutes } from './list-audit/routes.ts';
import { recordAuditConsumer } from './record-audit/consumer.ts';

// record-audit fed like the KafkaSource feeds it, list-audit served in-process, one test database.
let api: ServiceTestApi;
let consumer: ConsumerUnderTest;

const commandAudit = (
  payload: Partial<AuditRecordedPayload>,
  occurredAt = new Date(),
): AtlasEvent<'AuditRecorded'> =>
  createEvent(
    'AuditRecorded',
    { ...PAYLOAD_FIXTURES.AuditRecorded, ...payload },
    { ...TEST_CONTEXT, producer: 'order', occurredAt },
  );

async function trailOf(
  entityType: string,
  entityId: string,
  user = 'admin',
): Promise<{ items: Record<string, unknown>[]; total: number }> {
  const response = await api.call(
    'GET',
    `/v1/audit?entityType=${entityType}&entityId=${encodeURIComponent(entityId)}`,
    { user },
  );
  expect(response.status).toBe(200);
  return (await response.json()) as { items: Record<string, unknown>[]; total: number };
}

describe('the audit trail', () => {
  beforeAll(async () => {
    api = await startTestApi({
      name: 'audit-trail-test',
      service: 'workflow',
      routes: listAuditRoutes,
      users: ['admin', 'ops', 'finance', 'approver', 'viewer'],
    });
    consumer = await serveConsumer(recordAuditConsumer(), api.sql);
    // A test database, five logins and a consumer: under the full suite's load, more than 30 s.
  }, 90_000);

  afterAll(async () => {
    await consumer.close();
    await api.close();
  });

  it('records an audited command once, however often it is delivered, and lists it to Admin', async () => {
    const orderId = randomUUID();
    const event = commandAudit({
      username: 'ops',
      action: 'cancel-order',
      route: '/v1/orders/:orderId/cancel',
      entityType: 'order',
      entityId: orderId,
    });

    for (let delivery = 0; delivery < 3; delivery += 1) {
      expect((await consumer.deliver(event)).status).toBe(200);
    }

    expect(await trailOf('order', orderId)).toEqual({
      items: [
        {
          eventId: event.eventId,
          kind: 'COMMAND',
          entityType: 'order',
          entityId: orderId,
          action: 'cancel-order',
          subject: PAYLOAD_FIXTURES.AuditRecorded.subject,
          username: 'ops',
          method: 'POST',
          route: '/v1/orders/:orderId/cancel',
          status: 202,
          outcome: 'SUCCEEDED',
          replayed: false,
          correlationId: TEST_CONTEXT.correlationId,
          producer: 'order',
          occurredAt: event.occurredAt,
        },
      ],
      page: 1,
      pageSize: 20,
      total: 1,
    });
  });

  it("records the saga's decisions on the order, oldest first, after its commands", async () => {
    const orderId = randomUUID();
    const at = (second: number) => new Date(Date.UTC(2026, 10, 28, 10, 0, second));
    const saga = { ...TEST_CONTEXT, producer: 'order' };
    await consumer.deliver(
      createEvent(
        'OrderCancelled',
        { orderId, reason: 'CUSTOMER_CANCELLED' },
        {
          ...saga,
          occurredAt: at(2),
        },
      ),
    );
    await consumer.deliver(
      commandAudit({ entityType: 'order', entityId: orderId, action: 'cancel-order' }, at(1)),
    );
    await consumer.deliver(
      createEvent(
        'OrderConfirmed',
        { ...PAYLOAD_FIXTURES.OrderConfirmed, orderId },
        { ...saga, occurredAt: at(0) },
      ),
    );

    const trail = await trailOf('order', orderId);

    expect(trail.items.map(({ kind, action, outcome }) => ({ kind, action, outcome }))).toEqual([
      { kind: 'DECISION', action: 'OrderConfirmed', outcome: 'CONFIRMED' },
      { kind: 'COMMAND', action: 'cancel-order', outcome: 'SUCCEEDED' },
      { kind: 'DECISION', action: 'OrderCancelled', outcome: 'CANCELLED' },
    ]);
    expect(trail.items[2]).toMatchObject({
      subject: 'system',
      username: 'system',
      details: { reason: 'CUSTOMER_CANCELLED' },
    });
    expect(trail.items[2]).not.toHaveProperty('method');
  });

  it('records an approval decision with the approver, whose subject Workflow stored', async () => {
    const approvalId = randomUUID();
    const orderId = randomUUID();
    await api.sql`
      insert into approvals (approval_id, order_id, status, amount_cents, currency, decided_at,
        decided_by_subject, decided_by_username, reason)
      values (${approvalId}, ${orderId}, 'REJECTED', 1500000, 'EUR', now(), 'sub-of-approver',
        'approver', 'Over budget')`;

    await consumer.deliver(
      createEvent(
        'ApprovalRejected',
        { approvalId, orderId, decidedBy: 'approver', reason: 'Over budget' },
        { ...TEST_CONTEXT, producer: 'workflow' },
      ),
    );
    await consumer.deliver(
      createEvent(
        'ApprovalGranted',
        { ...PAYLOAD_FIXTURES.ApprovalGranted, approvalId: 'unknown-approval', orderId },
        { ...TEST_CONTEXT, producer: 'workflow' },
      ),
    );

    expect((await trailOf('approval', approvalId)).items).toEqual([
      expect.objectContaining({
        kind: 'DECISION',
        action: 'ApprovalRejected',
        subject: 'sub-of-approver',
        username: 'approver',
        outcome: 'REJECTED',
        details: { orderId, reason: 'Over budget' },
      }),
    ]);
    const [granted] = (await trailOf('approval', 'unknown-approval')).items;
    expect(granted).toMatchObject({ username: 'approver', outcome: 'GRANTED' });
    expect(granted).not.toHaveProperty('subject');
  });

  it('pages the trail and filters it by entity type alone', async () => {
    const entityType = `probe-${randomUUID().slice(0, 8)}`;
    for (let index = 0; index < 3; index += 1) {
      await consumer.deliver(commandAudit({ entityType, entityId: `e-${index}` }));
    }

    const response = await api.call('GET', `/v1/audit?entityType=${entityType}&pageSize=2&page=2`, {
      user: 'admin',
    });

    expect(await response.json()).toMatchObject({
      items: [expect.objectContaining({ entityId: 'e-2' })],
      page: 2,
      pageSize: 2,
      total: 3,
    });
  });

  it('refuses to change or remove an entry: UPDATE, DELETE and TRUNCATE all fail', async () => {
    await consumer.deliver(commandAudit({ entityType: 'order', entityId: randomUUID() }));

    await expect(api.sql`update audit_log set outcome = 'SUCCEEDED'`).rejects.toThrow(
      /append-only: UPDATE/,
    );
    await expect(api.sql`delete from audit_log`).rejects.toThrow(/append-only: DELETE/);
    await expect(api.sql`truncate audit_log`).rejects.toThrow(/append-only: TRUNCATE/);
    const [count] = await api.sql<{ n: number }[]>`select count(*)::int as n from audit_log`;
    expect(count?.n).toBeGreaterThan(0);
  });

  it('is Admin-only: 403 for every other role, 401 without a token', async () => {
    for (const user of ['ops', 'finance', 'approver', 'viewer']) {
      const response = await api.call('GET', '/v1/audit', { user });
      expect(response.status).toBe(403);
    }
    expect((await api.call('GET', '/v1/audit')).status).toBe(401);
  });

  it.each([
    ['an entity id without its type', '?entityId=x', 'query.entityType'],
    ['a page size over 100', '?pageSize=101', 'query.pageSize'],
    ['an unknown parameter', '?actor=ops', 'query'],
  ])('answers 400 to %s', async (_case, search, path) => {
    const response = await api.call('GET', `/v1/audit${search}`, { user: 'admin' });

    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { path: string }[] };
    expect(problem.errors[0]?.path).toBe(path);
  });
});
