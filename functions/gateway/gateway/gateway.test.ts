import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { createTokenVerifier, tokenVerifierOptionsFrom } from '@atlas/auth';
import { bearerFor } from '@atlas/auth/testing';
import { removeKeys } from '@atlas/idempotency/testing';
import { loadCatalog } from '@atlas/catalog';
import { loadStackConfig } from '@atlas/config';
import { migrationSetsOf } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { serve, type HttpRouteDependencies, type RunningFunction } from '@atlas/http';
import { createIdempotencyStore, createRedisClient } from '@atlas/idempotency';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { getItemRoutes } from '../../inventory/get-item/routes.ts';
import { setStockRoutes } from '../../inventory/set-stock/routes.ts';
import { gatewayRoutes } from './proxy.ts';
import { upstreamRoutes } from './routing.ts';

// The gateway built from the real catalog, in front of the real inventory routes served
// in-process (the catalog's URL override points the gateway at them).
const logger = createLogger({ service: 'gateway', function: 'gateway-test', level: 'silent' });
const registry = createMetricsRegistry({ service: 'gateway', function: 'gateway-test' });
const keyPrefix = `atlas:test:${randomUUID()}`;
let database: TestDatabase;
let redis: Redis;
let inventory: RunningFunction;
let gateway: RunningFunction;
let ops = '';

describe('the gateway', () => {
  beforeAll(async () => {
    database = await createTestDatabase(migrationSetsOf('inventory'));
    redis = await createRedisClient(loadStackConfig().redis.url);
    const verifier = createTokenVerifier(tokenVerifierOptionsFrom());
    const dependencies: HttpRouteDependencies = {
      verifier,
      idempotencyStore: createIdempotencyStore({ redis, keyPrefix }),
      logger,
      registry,
    };
    inventory = await serve({
      name: 'gateway-test-inventory',
      routes: [
        ...setStockRoutes(dependencies, database.sql),
        ...getItemRoutes(dependencies, database.sql),
      ],
      logger,
      registry,
    });
    const env = {
      ATLAS_FUNCTION_URL_INVENTORY_SET_STOCK: inventory.url,
      ATLAS_FUNCTION_URL_INVENTORY_GET_ITEM: inventory.url,
      ATLAS_FUNCTION_URL_INVENTORY_RECEIVE_STOCK: 'http://127.0.0.1:1/',
    };
    gateway = await serve({
      name: 'gateway-test',
      routes: gatewayRoutes(upstreamRoutes(loadCatalog(), env), {
        verifier,
        logger,
        registry,
        timeoutMs: 5_000,
      }),
      logger,
      registry,
    });
    ops = await bearerFor('ops');
  });

  afterAll(async () => {
    await gateway.close();
    await inventory.close();
    await removeKeys(redis, keyPrefix);
    redis.disconnect();
    await database.drop();
  });

  it('routes a command and a query to the functions that own them, with the correlation id end to end', async () => {
    const sku = `SKU-GW-${randomUUID().slice(0, 8)}`;
    const key = randomUUID();
    const put = () =>
      fetch(`${gateway.url}/v1/inventory/items/${sku}`, {
        method: 'PUT',
        headers: {
          authorization: ops,
          'idempotency-key': key,
          'content-type': 'application/json',
          'x-correlation-id': 'gw-corr-1',
        },
        body: JSON.stringify({ onHand: 7, name: 'Gateway mug' }),
      });

    const first = await put();
    const replay = await put();
    const get = await fetch(`${gateway.url}/v1/inventory/items/${sku}`, {
      headers: { authorization: ops },
    });

    expect(first.status).toBe(200);
    expect(first.headers.get('x-correlation-id')).toBe('gw-corr-1');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(await first.text());
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({
      sku,
      name: 'Gateway mug',
      onHand: 7,
      reserved: 0,
      available: 7,
    });
  });

  it('answers 401 itself when the token is missing or bad', async () => {
    const missing = await fetch(`${gateway.url}/v1/inventory/items/SKU-1`);
    const bad = await fetch(`${gateway.url}/v1/inventory/items/SKU-1`, {
      headers: { authorization: 'Bearer not.a.token' },
    });
    expect(missing.status).toBe(401);
    expect(bad.status).toBe(401);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
  });

  it('passes the function problems through unchanged', async () => {
    const response = await fetch(
      `${gateway.url}/v1/inventory/items/SKU-NOPE-${randomUUID().slice(0, 6)}`,
      { headers: { authorization: ops } },
    );
    const problem = (await response.json()) as { status: number; code: string };
    expect(response.status).toBe(404);
    expect(problem).toMatchObject({ status: 404, code: 'ATLAS_NOT_FOUND' });
  });

  it('answers 404 for a path no function owns, and 503 when the owner does not answer', async () => {
    expect(
      (await fetch(`${gateway.url}/v1/nowhere`, { headers: { authorization: ops } })).status,
    ).toBe(404);
    const down = await fetch(`${gateway.url}/v1/inventory/items/SKU-1/receipts`, {
      method: 'POST',
      headers: {
        authorization: ops,
        'idempotency-key': randomUUID(),
        'content-type': 'application/json',
      },
      body: '{"quantity":1}',
    });
    expect(down.status).toBe(503);
  });
});
