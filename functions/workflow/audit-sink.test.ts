import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { assertValidEvent, type AtlasEvent } from '@atlas/events';
import { outboxAuditSink } from '@atlas/http';
import { startTestApi, type ServiceTestApi } from '@atlas/http/testing';
import { approveRoutes } from './approve/routes.ts';

// The approve function built as runHttpFunction builds it, audit sink included: every command
// leaves exactly one AuditRecorded in the service's own outbox.
let api: ServiceTestApi;

interface OutboxRow {
  readonly event_id: string;
  readonly event_type: string;
  readonly topic: string;
  readonly aggregate_id: string;
  readonly event: AtlasEvent<'AuditRecorded'>;
  readonly avro: Buffer;
}

async function auditRowsFor(approvalId: string): Promise<OutboxRow[]> {
  return api.sql<OutboxRow[]>`
    select event_id, event_type, topic, aggregate_id, event, avro from atlas_outbox
    where event_type = 'AuditRecorded' and aggregate_id = ${approvalId} order by id`;
}

const approve = (approvalId: string, key = randomUUID()) =>
  api.call('POST', `/v1/approvals/${approvalId}/approve`, {
    user: 'approver',
    key,
    body: { comment: 'secret-looking comment' },
  });

describe('the outbox audit sink behind a workflow command', () => {
  beforeAll(async () => {
    api = await startTestApi({
      name: 'audit-sink-test',
      service: 'workflow',
      routes: approveRoutes,
      audit: (sql) => outboxAuditSink(sql, 'workflow'),
      users: ['approver'],
    });
  });

  afterAll(() => api.close());

  it('stages exactly one valid AuditRecorded with who, what and the outcome, and no token or body', async () => {
    const approvalId = randomUUID();
    const orderId = randomUUID();
    await api.sql`
      insert into approvals (approval_id, order_id, status, amount_cents, currency)
      values (${approvalId}, ${orderId}, 'PENDING', 1500000, 'EUR')`;
    // Someone other than the approver placed the order (separation of duties).
    await api.sql`
      insert into audit_log (event_id, kind, entity_type, entity_id, action, actor_subject,
        actor_username, method, route, status, outcome, correlation_id, producer, occurred_at)
      values (${randomUUID()}, 'COMMAND', 'order', ${orderId}, 'place-order', 'someone-else',
        'ops', 'POST', '/v1/orders', 202, 'SUCCEEDED', ${randomUUID()}, 'order', now())`;

    const response = await approve(approvalId);

    expect(response.status).toBe(202);
    const rows = await auditRowsFor(approvalId);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ topic: 'atlas.workflow.events.v1', aggregate_id: approvalId });
    expect(() => {
      assertValidEvent(row?.event as AtlasEvent);
    }).not.toThrow();
    expect(row?.event).toMatchObject({
      eventType: 'AuditRecorded',
      producer: 'workflow',
      correlationId: response.headers.get('x-correlation-id'),
      aggregateType: 'AuditedEntity',
      payload: {
        subject: expect.stringMatching(/.+/),
        username: 'approver',
        action: 'approve',
        method: 'POST',
        route: '/v1/approvals/:approvalId/approve',
        entityType: 'approval',
        entityId: approvalId,
        status: 202,
        outcome: 'SUCCEEDED',
        replayed: false,
      },
    });
    const text = JSON.stringify(row?.event);
    expect(text).not.toContain(api.tokenOf('approver').replace('Bearer ', ''));
    expect(text).not.toContain('secret-looking comment');
  });

  it('audits a refused decision too, as REJECTED with its status', async () => {
    const approvalId = randomUUID();

    expect((await approve(approvalId)).status).toBe(404);

    const rows = await auditRowsFor(approvalId);
    expect(rows.map((row) => row.event.payload)).toEqual([
      expect.objectContaining({ entityId: approvalId, status: 404, outcome: 'REJECTED' }),
    ]);
  });
});
