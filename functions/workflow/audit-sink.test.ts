import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { createTokenVerifier, tokenVerifierOptionsFrom } from '@atlas/auth';
import { bearerFor } from '@atlas/auth/testing';
import { loadStackConfig } from '@atlas/config';
import { migrationSetsOf } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { assertValidEvent, type AtlasEvent } from '@atlas/events';
import {
  outboxAuditSink,
  serve,
  type HttpRouteDependencies,
  type RunningFunction,
} from '@atlas/http';
import { createIdempotencyStore, createRedisClient } from '@atlas/idempotency';
import { removeKeys } from '@atlas/idempotency/testing';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { approveRoutes } from './approve/routes.ts';

// The approve function built as runHttpFunction builds it, audit sink included: every command
// leaves exactly one AuditRecorded in the service's own outbox.
const labels = { service: 'workflow', function: 'audit-sink-test' };
const keyPrefix = `atlas:test:${randomUUID()}`;
let database: TestDatabase;
let redis: Redis;
let running: RunningFunction;
let approverToken = '';

interface OutboxRow {
  readonly event_id: string;
  readonly event_type: string;
  readonly topic: string;
  readonly aggregate_id: string;
  readonly event: AtlasEvent<'AuditRecorded'>;
  readonly avro: Buffer;
}

async function auditRowsFor(approvalId: string): Promise<OutboxRow[]> {
  return database.sql<OutboxRow[]>`
    select event_id, event_type, topic, aggregate_id, event, avro from atlas_outbox
    where event_type = 'AuditRecorded' and aggregate_id = ${approvalId} order by id`;
}

async function approve(approvalId: string, key = randomUUID()): Promise<Response> {
  return fetch(`${running.url}/v1/approvals/${approvalId}/approve`, {
    method: 'POST',
    headers: {
      authorization: approverToken,
      'idempotency-key': key,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ comment: 'secret-looking comment' }),
  });
}

describe('the outbox audit sink behind a workflow command', () => {
  beforeAll(async () => {
    database = await createTestDatabase(migrationSetsOf('workflow'));
    redis = await createRedisClient(loadStackConfig().redis.url);
    const dependencies: HttpRouteDependencies = {
      verifier: createTokenVerifier(tokenVerifierOptionsFrom()),
      idempotencyStore: createIdempotencyStore({ redis, keyPrefix }),
      logger: createLogger({ ...labels, level: 'silent' }),
      registry: createMetricsRegistry(labels),
      audit: outboxAuditSink(database.sql, 'workflow'),
    };
    running = await serve({
      name: labels.function,
      routes: approveRoutes(dependencies, database.sql),
      logger: dependencies.logger,
      registry: dependencies.registry,
    });
    approverToken = await bearerFor('approver');
  });

  afterAll(async () => {
    await running.close();
    await removeKeys(redis, keyPrefix);
    redis.disconnect();
    await database.drop();
  });

  it('stages exactly one valid AuditRecorded with who, what and the outcome, and no token or body', async () => {
    const approvalId = randomUUID();
    await database.sql`
      insert into approvals (approval_id, order_id, status, amount_cents, currency)
      values (${approvalId}, ${randomUUID()}, 'PENDING', 1500000, 'EUR')`;

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
    expect(text).not.toContain(approverToken.replace('Bearer ', ''));
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
