import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { createTokenVerifier, tokenVerifierOptionsFrom } from '@atlas/auth';
import { bearerFor } from '@atlas/auth/testing';
import { loadStackConfig } from '@atlas/config';
import { ConflictError } from '@atlas/errors';
import { createIdempotencyStore, createRedisClient } from '@atlas/idempotency';
import { removeKeys } from '@atlas/idempotency/testing';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import {
  auditEntityOf,
  authenticate,
  httpFunction,
  idempotency,
  json,
  serve,
  type AuditRecord,
  type RunningFunction,
} from './index.ts';

const logLines: Record<string, unknown>[] = [];
const logger = createLogger({
  service: 'test',
  function: 'audit-test',
  destination: new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  }),
});
const registry = createMetricsRegistry({ service: 'test', function: 'audit-test' });
const keyPrefix = `atlas:test:${randomUUID()}`;
const recorded: AuditRecord[] = [];
let sinkFails = false;
let redis: Redis;
let running: RunningFunction;
const tokens: Record<string, string> = {};

const widgetParams = z.strictObject({ widgetId: z.string().regex(/^w-\d+$/) });

async function send(
  method: string,
  path: string,
  options: { user?: string; body?: unknown; key?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.user) headers['authorization'] = tokens[options.user] ?? '';
  headers['idempotency-key'] = options.key ?? randomUUID();
  return fetch(`${running.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}

/** What was recorded while `act` ran. */
async function recordsOf(act: () => Promise<unknown>): Promise<AuditRecord[]> {
  const before = recorded.length;
  await act();
  return recorded.slice(before);
}

describe('the audit of commands', () => {
  beforeAll(async () => {
    redis = await createRedisClient(loadStackConfig().redis.url);
    const store = createIdempotencyStore({ redis, keyPrefix });
    const verifier = createTokenVerifier(tokenVerifierOptionsFrom());
    const dependencies = {
      logger,
      registry,
      audit: {
        record: async (entry: AuditRecord) => {
          if (sinkFails) throw new Error('audit store down');
          recorded.push(entry);
        },
        // These handlers have no transaction to stage in; staging is proven by the services.
        stage: async () => {
          throw new Error('not staged in these tests');
        },
      },
    };
    const adjust = httpFunction(
      {
        name: 'adjust-widget',
        method: 'POST',
        route: '/v1/widgets/:widgetId/adjustments',
        schemas: { params: widgetParams, body: z.strictObject({ by: z.int() }) },
        authenticate: authenticate(verifier, 'inventory:write'),
        idempotency: idempotency(store, 'POST /v1/widgets/:widgetId/adjustments'),
        audit: { entityType: 'widget', id: ':widgetId' },
        handler: async ({ params, body }) => {
          if (body.by === 0) throw new ConflictError('Nothing to adjust.');
          if (body.by < 0) throw new Error('the widget store broke');
          return json(202, { widgetId: params.widgetId, by: body.by });
        },
      },
      dependencies,
    );
    const read = httpFunction(
      {
        name: 'get-widget',
        method: 'GET',
        route: '/v1/widgets/:widgetId',
        schemas: { params: widgetParams },
        authenticate: authenticate(verifier, 'inventory:read'),
        handler: async ({ params }) => json(200, { widgetId: params.widgetId }),
      },
      dependencies,
    );
    running = await serve({
      name: 'audit-test',
      routes: [
        { method: 'POST', route: '/v1/widgets/:widgetId/adjustments', handle: adjust },
        { method: 'GET', route: '/v1/widgets/:widgetId', handle: read },
      ],
      logger,
      registry,
    });
    for (const user of ['ops', 'viewer']) tokens[user] = await bearerFor(user);
  });

  afterAll(async () => {
    await running.close();
    await removeKeys(redis, keyPrefix);
    redis.disconnect();
  });

  it('records exactly one entry for a command: who, what, which entity, how it ended, never the token or the body', async () => {
    let response: Response | undefined;
    const entries = await recordsOf(async () => {
      response = await send('POST', '/v1/widgets/w-1/adjustments', {
        user: 'ops',
        body: { by: 3 },
      });
    });

    expect(response?.status).toBe(202);
    expect(entries).toEqual([
      {
        subject: expect.stringMatching(/.+/),
        username: 'ops',
        action: 'adjust-widget',
        method: 'POST',
        route: '/v1/widgets/:widgetId/adjustments',
        entityType: 'widget',
        entityId: 'w-1',
        status: 202,
        outcome: 'SUCCEEDED',
        replayed: false,
        correlationId: response?.headers.get('x-correlation-id'),
        at: expect.any(Date),
      },
    ]);
    const text = JSON.stringify(entries);
    expect(text).not.toContain((tokens['ops'] ?? '').replace('Bearer ', ''));
    expect(text).not.toContain('"by"');
  });

  it('marks an idempotent replay as replayed', async () => {
    const key = randomUUID();
    const entries = await recordsOf(async () => {
      await send('POST', '/v1/widgets/w-2/adjustments', { user: 'ops', body: { by: 1 }, key });
      await send('POST', '/v1/widgets/w-2/adjustments', { user: 'ops', body: { by: 1 }, key });
    });

    expect(entries.map((entry) => entry.replayed)).toEqual([false, true]);
  });

  it('records refusals and failures of an authenticated caller with their status', async () => {
    const entries = await recordsOf(async () => {
      await send('POST', '/v1/widgets/w-3/adjustments', { user: 'viewer', body: { by: 1 } });
      await send('POST', '/v1/widgets/w-3/adjustments', { user: 'ops', body: { by: 'x' } });
      await send('POST', '/v1/widgets/w-3/adjustments', { user: 'ops', body: { by: 0 } });
      await send('POST', '/v1/widgets/w-3/adjustments', { user: 'ops', body: { by: -1 } });
    });

    expect(entries.map(({ username, status, outcome }) => ({ username, status, outcome }))).toEqual(
      [
        { username: 'viewer', status: 403, outcome: 'REJECTED' },
        { username: 'ops', status: 400, outcome: 'REJECTED' },
        { username: 'ops', status: 409, outcome: 'REJECTED' },
        { username: 'ops', status: 500, outcome: 'FAILED' },
      ],
    );
  });

  it('records nothing for an anonymous caller or a read', async () => {
    const entries = await recordsOf(async () => {
      await send('POST', '/v1/widgets/w-4/adjustments', { body: { by: 1 } });
      await fetch(`${running.url}/v1/widgets/w-4`, {
        headers: { authorization: tokens['viewer'] ?? '' },
      });
    });

    expect(entries).toEqual([]);
  });

  it('answers the command even when the audit cannot be recorded, and logs the entry', async () => {
    sinkFails = true;
    const response = await send('POST', '/v1/widgets/w-5/adjustments', {
      user: 'ops',
      body: { by: 2 },
    });
    sinkFails = false;

    expect(response.status).toBe(202);
    const line = logLines.find((entry) => entry['msg'] === 'could not record the audit entry');
    expect(line?.['audit']).toMatchObject({ entityId: 'w-5', username: 'ops' });
  });
});

describe('the entity of an audited command', () => {
  const answered = (status: number, body: unknown) => ({
    status,
    headers: {},
    body: JSON.stringify(body),
  });

  it.each([
    [{ entityType: 'order', id: ':orderId' }, { orderId: 'o-1' }, 'order', 'o-1'],
    [{ entityType: 'inventory-item', id: ':sku' }, { sku: 'SKU-1' }, 'inventory-item', 'SKU-1'],
    [{ entityType: 'dead-letter', id: ':id' }, { id: '42' }, 'dead-letter', '42'],
    [{ entityType: 'dead-letter' }, {}, 'dead-letter', null],
  ])('takes the declared %o from the route parameter', (entity, params, entityType, entityId) => {
    expect(auditEntityOf(entity, params, answered(202, {}))).toEqual({ entityType, entityId });
  });

  it('takes a created entity from the response, none from a refused create, and flags an undeclared one', () => {
    const created = { entityType: 'order', id: 'response.orderId' };
    expect(auditEntityOf(created, {}, answered(202, { orderId: 'o-9' }))).toEqual({
      entityType: 'order',
      entityId: 'o-9',
    });
    expect(auditEntityOf(created, {}, answered(400, { orderId: 'o-9' }))).toEqual({
      entityType: 'order',
      entityId: null,
    });
    expect(auditEntityOf(undefined, { orderId: 'o-1' }, answered(200, {}))).toEqual({
      entityType: 'undeclared',
      entityId: null,
    });
  });
});
