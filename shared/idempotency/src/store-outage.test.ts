import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DependencyUnavailableError } from '@atlas/errors';
import type { Redis } from 'ioredis';
import type { BeginRequest, IdempotencyStore } from './index.ts';
import { createIdempotencyStore, createRedisClient, fingerprintRequest } from './index.ts';
import type { ThrowawayRedis } from './throwaway-redis.ts';
import { startThrowawayRedis } from './throwaway-redis.ts';

// Outages are provoked on a private redis-server child process, never on the machine's Redis.
let server: ThrowawayRedis;
let redis: Redis;
let store: IdempotencyStore;

beforeAll(async () => {
  server = await startThrowawayRedis();
  redis = await createRedisClient(server.url);
  store = createIdempotencyStore({ redis, keyPrefix: `atlas:test:${randomUUID()}` });
});

afterAll(async () => {
  redis.disconnect();
  await server.kill();
  // ioredis arms a 2 s "destroy the socket" timer even when the socket is already dead; let it
  // fire here rather than have Jest report a leaked handle.
  await sleep(2_100);
});

function request(): BeginRequest {
  return {
    scope: 'user-a',
    route: 'POST /v1/orders',
    key: `k-${randomUUID()}`,
    fingerprint: fingerprintRequest({ method: 'POST', path: '/v1/orders', body: { a: 1 } }),
  };
}

/** What an adapter does: run the handler only when the store says the request is new. */
async function handle(
  req: BeginRequest,
  handler: () => void,
  using: IdempotencyStore = store,
): Promise<void> {
  const claim = await using.begin(req);
  if (claim.kind === 'new') {
    handler();
    await claim.complete({ status: 202, headers: {}, body: '{}' });
  }
}

describe('when Redis is stopped', () => {
  it('answers 503 and never runs the handler', async () => {
    let executions = 0;
    // Control: with Redis up the handler runs.
    await handle(request(), () => (executions += 1));
    expect(executions).toBe(1);

    const owned = await store.begin(request());
    await server.kill();

    const began = Date.now();
    await expect(handle(request(), () => (executions += 1))).rejects.toThrow(
      DependencyUnavailableError,
    );
    expect(executions).toBe(1);
    // Fails fast: no offline queue to wait in.
    expect(Date.now() - began).toBeLessThan(1_000);

    // A request that began before the outage cannot store its response either, and says so.
    if (owned.kind !== 'new') throw new Error('expected a new execution');
    await expect(owned.complete({ status: 202, headers: {}, body: '{}' })).rejects.toThrow(
      DependencyUnavailableError,
    );
    await expect(owned.abandon()).rejects.toThrow(DependencyUnavailableError);
  });

  it('refuses to create a client for an unreachable Redis with a 503', async () => {
    await expect(createRedisClient(server.url)).rejects.toThrow(DependencyUnavailableError);
  });
});

describe('when Redis hangs without closing the connection', () => {
  it('answers 503 after the command timeout and never runs the handler', async () => {
    const hung = await startThrowawayRedis();
    const client = await createRedisClient(hung.url);
    const hungStore = createIdempotencyStore({ redis: client, keyPrefix: 'atlas:test:hung' });
    let executions = 0;
    try {
      hung.pause();
      const began = Date.now();
      await expect(handle(request(), () => (executions += 1), hungStore)).rejects.toThrow(
        DependencyUnavailableError,
      );
      expect(executions).toBe(0);
      // commandTimeout (2 s), not an endless wait.
      expect(Date.now() - began).toBeLessThan(5_000);
    } finally {
      client.disconnect();
      await hung.kill();
    }
  });
});
