import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadStackConfig } from '@atlas/config';
import {
  IdempotencyInFlightError,
  IdempotencyKeyReusedError,
  ValidationError,
} from '@atlas/errors';
import type { Redis } from 'ioredis';
import type { BeginRequest, IdempotencyStore, StoredResponse } from './index.ts';
import { createIdempotencyStore, createRedisClient, fingerprintRequest } from './index.ts';

// Every key of this run lives under its own prefix and is deleted at the end; the machine's
// Redis is shared, so nothing here flushes or reconfigures it.
const keyPrefix = `atlas:test:${randomUUID()}`;
let redis: Redis;
let store: IdempotencyStore;

beforeAll(async () => {
  redis = await createRedisClient(loadStackConfig().redis.url);
  store = createIdempotencyStore({ redis, keyPrefix });
});

afterAll(async () => {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
});

const body = {
  customerId: 'c1',
  currency: 'EUR',
  lines: [{ sku: 'A', quantity: 2, unitPrice: '9.99' }],
};

function request(overrides: Partial<BeginRequest> = {}): BeginRequest {
  return {
    scope: 'user-a',
    route: 'POST /v1/orders',
    key: `k-${randomUUID()}`,
    fingerprint: fingerprintRequest({ method: 'POST', path: '/v1/orders', body }),
    ...overrides,
  };
}

const accepted: StoredResponse = {
  status: 202,
  headers: { 'content-type': 'application/json', location: '/v1/orders/o-1' },
  // Odd spacing, escapes and non-ASCII: the replay must not re-serialise any of it.
  body: '{"orderId":"o-1",  "status":"PENDING","total":"19.98","note":"café \\u00e9 ✓"}\n',
};

async function begun(req: BeginRequest) {
  const result = await store.begin(req);
  if (result.kind !== 'new') throw new Error('expected a new execution');
  return result;
}

describe('idempotency store against the local Redis', () => {
  it('runs a new request, then replays its stored response byte for byte', async () => {
    const req = request();
    const first = await begun(req);
    await expect(first.complete(accepted)).resolves.toBe(true);

    const again = await store.begin(req);
    expect(again).toEqual({ kind: 'replay', response: accepted });
    if (again.kind === 'replay') expect(again.response.body).toBe(accepted.body);
  });

  it('treats the same body with its keys reordered as the same request', async () => {
    const req = request();
    await (await begun(req)).complete(accepted);
    const reordered = { lines: body.lines, currency: 'EUR', customerId: 'c1' };
    const again = await store.begin({
      ...req,
      fingerprint: fingerprintRequest({ method: 'POST', path: '/v1/orders', body: reordered }),
    });
    expect(again.kind).toBe('replay');
  });

  it('keeps a completed response for 24 hours', async () => {
    const req = request();
    const claim = await begun(req);
    const redisKey = `${keyPrefix}:user-a:${encodeURIComponent(req.route)}:${req.key}`;
    // While in flight the key expires soon, so a crashed process does not block it for a day.
    expect(await redis.pttl(redisKey)).toBeGreaterThan(55_000);
    expect(await redis.pttl(redisKey)).toBeLessThanOrEqual(60_000);
    await claim.complete(accepted);
    const pttl = await redis.pttl(redisKey);
    expect(pttl).toBeGreaterThan(86_400_000 - 5_000);
    expect(pttl).toBeLessThanOrEqual(86_400_000);
  });

  it('answers 422 when the same key comes with a different body, finished or not', async () => {
    const inFlight = request();
    await begun(inFlight);
    const other = fingerprintRequest({
      method: 'POST',
      path: '/v1/orders',
      body: { ...body, currency: 'USD' },
    });
    await expect(store.begin({ ...inFlight, fingerprint: other })).rejects.toThrow(
      IdempotencyKeyReusedError,
    );

    const done = request();
    await (await begun(done)).complete(accepted);
    await expect(store.begin({ ...done, fingerprint: other })).rejects.toThrow(
      IdempotencyKeyReusedError,
    );
  });

  it('answers 409 while the first request with the key is still in flight', async () => {
    const req = request();
    await begun(req);
    await expect(store.begin(req)).rejects.toThrow(IdempotencyInFlightError);
  });

  it('frees the key when the handler failed, so the client can retry', async () => {
    const req = request();
    const failed = await begun(req);
    await expect(failed.abandon()).resolves.toBe(true);
    const retry = await begun(req);
    await retry.complete(accepted);
    expect((await store.begin(req)).kind).toBe('replay');
  });

  it('never lets a stale owner complete or abandon a key someone else now holds', async () => {
    const req = request();
    const stale = await begun(req);
    await stale.abandon();
    const current = await begun(req);
    await expect(stale.complete({ ...accepted, body: 'stale' })).resolves.toBe(false);
    await expect(stale.abandon()).resolves.toBe(false);
    await expect(store.begin(req)).rejects.toThrow(IdempotencyInFlightError);
    await current.complete(accepted);
    await expect(current.abandon()).resolves.toBe(false);
    expect(await store.begin(req)).toEqual({ kind: 'replay', response: accepted });
  });

  it("keeps one user's keys invisible to another user", async () => {
    const req = request({ scope: 'user-a' });
    await (await begun(req)).complete(accepted);
    const sameKeyOtherUser = await store.begin({ ...req, scope: 'user-b' });
    expect(sameKeyOtherUser.kind).toBe('new');
  });

  it('cannot be confused by a ":" inside the scope or the route', async () => {
    const key = `k-${randomUUID()}`;
    await (await begun(request({ scope: 'a:b', route: 'c', key }))).complete(accepted);
    expect((await store.begin(request({ scope: 'a', route: 'b:c', key }))).kind).toBe('new');
  });

  it('rejects a malformed key with a 400 before touching Redis', async () => {
    await expect(store.begin(request({ key: 'has space' }))).rejects.toThrow(ValidationError);
  });

  it('runs the handler exactly once for 20 concurrent identical requests', async () => {
    const req = request();
    const clients = await Promise.all(
      Array.from({ length: 4 }, async () => createRedisClient(loadStackConfig().redis.url)),
    );
    const stores = clients.map((client) => createIdempotencyStore({ redis: client, keyPrefix }));
    let executions = 0;
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, async (_, index) => {
          const claim = await (stores[index % stores.length] as IdempotencyStore).begin(req);
          if (claim.kind === 'replay') return 'replayed';
          executions += 1;
          await sleep(50);
          await claim.complete(accepted);
          return 'executed';
        }),
      );
      expect(executions).toBe(1);
      const executed = outcomes.filter((o) => o.status === 'fulfilled' && o.value === 'executed');
      expect(executed).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected')
          expect(outcome.reason).toBeInstanceOf(IdempotencyInFlightError);
      }
      expect(await store.begin(req)).toEqual({ kind: 'replay', response: accepted });
    } finally {
      await Promise.all(clients.map(async (client) => client.quit()));
    }
  });
});
