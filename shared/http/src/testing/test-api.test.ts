import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoUser } from '@atlas/auth/testing';
import type { Sql } from '@atlas/db';
import type { AuditSink } from '../middleware/audit.ts';
import type { Route } from '../serve.ts';
import { json } from '../types.ts';
import { startTestApi, type ServiceTestApi } from './index.ts';

/** Answers what reached it, so a test can see what `call` sent. */
const echo = (route: string): Route => ({
  method: 'POST',
  route,
  handle: async (event) =>
    json(200, {
      authorization: event.headers['authorization'] ?? null,
      contentType: event.headers['content-type'] ?? null,
      key: event.headers['idempotency-key'] ?? null,
      correlationId: event.headers['x-correlation-id'] ?? null,
      extra: event.headers['x-extra'] ?? null,
      body: event.rawBody.toString('utf8'),
    }),
});

const auditSink: AuditSink = { record: async () => undefined, stage: async () => undefined };

describe('the in-process test API', () => {
  let api: ServiceTestApi;
  let auditedSql: Sql | undefined;

  beforeAll(async () => {
    api = await startTestApi({
      name: 'test-api-test',
      service: 'inventory',
      routes: () => [echo('/echo')],
      audit: (sql) => {
        auditedSql = sql;
        return auditSink;
      },
      users: ['viewer'],
    });
  });

  afterAll(() => api.close());

  it("sends the user's token, the key, the correlation id and the body as JSON", async () => {
    const response = await api.call('POST', '/echo', {
      user: 'viewer',
      key: 'key-1',
      correlationId: 'corr-1',
      body: { quantity: 2 },
      headers: { 'x-extra': 'yes' },
    });

    expect(await response.json()).toEqual({
      authorization: api.tokenOf('viewer'),
      contentType: 'application/json',
      key: 'key-1',
      correlationId: 'corr-1',
      extra: 'yes',
      body: '{"quantity":2}',
    });
    expect(api.tokenOf('viewer')).toMatch(/^Bearer .+/);
  });

  it('sends a raw body byte for byte, and no Content-Type or token when there is none', async () => {
    const raw = await api.call('POST', '/echo', { rawBody: '{ "spaced" : true }' });
    const bare = await api.call('POST', '/echo');

    expect(await raw.json()).toMatchObject({ body: '{ "spaced" : true }', authorization: null });
    expect(await bare.json()).toMatchObject({ body: '', contentType: null, key: null });
  });

  it('refuses a user it has no token for instead of sending none', async () => {
    expect(() => api.tokenOf('admin')).toThrow(/No token for admin/);
    await expect(api.call('POST', '/echo', { user: 'admin' })).rejects.toThrow(/No token/);
  });

  it("gives the routes the service's migrated database and audits into it", async () => {
    const [row] = await api.sql<{ n: number }[]>`select count(*)::int as n from inventory_items`;

    expect(row?.n).toBe(0);
    expect(api.sql).toBe(api.database.sql);
    expect(auditedSql).toBe(api.sql);
    expect(api.dependencies.audit).toBe(auditSink);
  });

  it('serves more routes beside its own, which can be closed on their own', async () => {
    const more = await api.serveAlso('test-api-more', [echo('/more')]);

    expect((await more.call('POST', '/more', { user: 'viewer' })).status).toBe(200);
    expect(more.url).not.toBe(api.url);
    await more.close();
    await expect(more.call('POST', '/more')).rejects.toThrow();
    expect((await api.call('POST', '/echo')).status).toBe(200);
  });
});

describe('closing the in-process test API', () => {
  it('closes its servers and drops its database', async () => {
    const api = await startTestApi({
      name: 'test-api-closed',
      service: 'inventory',
      routes: () => [echo('/echo')],
    });
    const more = await api.serveAlso('test-api-closed-more', [echo('/more')]);

    await api.close();

    await expect(api.call('POST', '/echo')).rejects.toThrow();
    await expect(more.call('POST', '/more')).rejects.toThrow();
    await expect(api.sql`select 1`).rejects.toThrow();
  });

  it('serves routes without a database when given no service', async () => {
    const api = await startTestApi({ name: 'test-api-stateless', routes: () => [echo('/echo')] });
    try {
      expect((await api.call('POST', '/echo')).status).toBe(200);
      expect(api.dependencies.audit).toBeUndefined();
      expect('database' in api).toBe(false);
    } finally {
      await api.close();
    }
  });

  it('releases what it started when a token is refused, and says why', async () => {
    let routesSql: Sql | undefined;
    const failed = startTestApi({
      name: `test-api-refused-${randomUUID().slice(0, 8)}`,
      service: 'inventory',
      routes: (_dependencies, sql) => {
        routesSql = sql;
        return [echo('/echo')];
      },
      // A user the realm does not know, as a typo in a test would be.
      users: ['nobody' as DemoUser],
    });

    await expect(failed).rejects.toThrow(/Keycloak refused a token for nobody/);
    const sql = routesSql;
    if (sql === undefined) throw new Error('the routes were never built');
    await expect(sql`select 1`).rejects.toThrow();
  });
});
