import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadStackConfig } from '@atlas/config';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { faultProxyConfig, proxiedEnv } from './config.ts';
import { startFaultProxy, UnknownTargetError, type FaultProxy } from './proxy.ts';

// The proxy stands in front of the machine's real PostgreSQL and Redis; only the proxy's own
// listeners go down, never the servers behind them.
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const stack = loadStackConfig();
let proxy: FaultProxy;
let sql: postgres.Sql;
let redis: Redis;

beforeAll(async () => {
  const config = faultProxyConfig(stack, {
    ATLAS_FAULT_PROXY: 'on',
    ATLAS_FAULT_PROXY_POSTGRES_PORT: String(await freePort()),
    ATLAS_FAULT_PROXY_REDIS_PORT: String(await freePort()),
  });
  proxy = await startFaultProxy([config.postgres, config.redis]);
  const env = proxiedEnv(stack, config);
  sql = postgres(`${env['ATLAS_POSTGRES_URL']}/postgres`, { max: 1, onnotice: () => undefined });
  redis = new Redis(env['ATLAS_REDIS_URL'] ?? '', {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 100,
  });
  redis.on('error', () => undefined);
});

afterAll(async () => {
  redis.disconnect();
  await sql.end({ timeout: 1 });
  await proxy.close();
});

async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

describe('the fault proxy', () => {
  it('passes PostgreSQL and Redis traffic through untouched', async () => {
    const [row] = await sql<{ answer: number }[]>`select 41 + 1 as answer`;
    expect(row?.answer).toBe(42);
    await eventually(() => redis.ping());
    expect(await redis.ping()).toBe('PONG');
  });

  it('cuts open PostgreSQL connections and refuses new ones while down, then serves again', async () => {
    await sql`select 1`;
    const state = proxy.takeDown('postgres', 1.5);
    expect(state.downUntil).toBeGreaterThan(Date.now());
    expect(state.connections).toBe(0);
    await expect(sql`select 1`).rejects.toThrow();
    const [row] = await eventually(() => sql<{ one: number }[]>`select 1 as one`);
    expect(row?.one).toBe(1);
    expect(proxy.states().find((target) => target.name === 'postgres')?.downUntil).toBeUndefined();
  });

  it('fails Redis commands fast while Redis is down, and recovers after', async () => {
    await eventually(() => redis.ping());
    proxy.takeDown('redis', 1.5);
    await expect(redis.ping()).rejects.toThrow();
    expect(await eventually(() => redis.ping())).toBe('PONG');
  });

  it('refuses a target it does not stand in front of', () => {
    expect(() => proxy.takeDown('kafka', 1)).toThrow(UnknownTargetError);
  });
});

describe('its configuration', () => {
  it('sends the functions through the proxy only when it is on', () => {
    const on = faultProxyConfig(stack, { ATLAS_FAULT_PROXY: 'on' });
    expect(proxiedEnv(stack, on)).toEqual({
      ATLAS_POSTGRES_URL: 'postgres://postgres@127.0.0.1:15432',
      ATLAS_REDIS_URL: 'redis://127.0.0.1:16379',
    });
    expect(proxiedEnv(stack, faultProxyConfig(stack, { ATLAS_FAULT_PROXY: 'off' }))).toEqual({});
    expect(proxiedEnv(stack, faultProxyConfig(stack, {}))).toEqual({});
  });

  it('rejects a setting it does not know and a port that is not one', () => {
    expect(() => faultProxyConfig(stack, { ATLAS_FAULT_PROXY: 'yes' })).toThrow(
      /must be "on" or "off"/,
    );
    expect(() => faultProxyConfig(stack, { ATLAS_FAULT_PROXY_PORT: '70000' })).toThrow(
      /must be a TCP port/,
    );
  });
});
