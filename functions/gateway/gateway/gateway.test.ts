import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { createTokenVerifier, tokenVerifierOptionsFrom } from '@atlas/auth';
import { bearerFor } from '@atlas/auth/testing';
import { removeKeys } from '@atlas/idempotency/testing';
import { loadCatalog } from '@atlas/catalog';
import { loadStackConfig } from '@atlas/config';
import { migrationSetsOf } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import {
  serve,
  type HttpEvent,
  type HttpRouteDependencies,
  type RunningFunction,
} from '@atlas/http';
import { createIdempotencyStore, createRedisClient } from '@atlas/idempotency';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { getItemRoutes } from '../../inventory/get-item/routes.ts';
import { setStockRoutes } from '../../inventory/set-stock/routes.ts';
import { gatewayRoutes, upstreamUrl } from './proxy.ts';
import { upstreamRoutes, type UpstreamRoute } from './routing.ts';

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

  describe('when a request names another host (absolute-form target)', () => {
    it('refuses it with a 400 problem and sends nothing to that host', async () => {
      // Prepare: a listener that must never hear from the gateway.
      let reached = 0;
      const bystander = createServer((_req, res) => {
        reached += 1;
        res.end('leaked');
      });
      await new Promise<void>((resolve) => bystander.listen(0, '127.0.0.1', resolve));
      const { port } = bystander.address() as AddressInfo;
      const body = '{"x":1}';
      try {
        // Act: the webhook route needs no token, so anyone could send this.
        const answer = await new Promise<string>((resolve) => {
          const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1');
          const chunks: Buffer[] = [];
          socket.on('data', (chunk: Buffer) => chunks.push(chunk));
          socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
          socket.end(
            `POST http://127.0.0.1:${port}/v1/payments/webhook HTTP/1.1\r\nhost: 127.0.0.1\r\n` +
              `content-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
          );
        });
        // Assess
        expect(answer).toMatch(/^HTTP\/1\.1 400 /);
        expect(answer).toContain('application/problem+json');
        expect(answer).not.toContain('leaked');
        expect(reached).toBe(0);
      } finally {
        await new Promise((resolve) => bystander.close(resolve));
      }
    });

    it('builds the upstream URL from the route table and the path alone', () => {
      const route = { upstream: 'http://127.0.0.1:8132/' } as UpstreamRoute;
      const event = (url: string) => ({ url }) as HttpEvent;
      expect(upstreamUrl(route, event('/v1/payments/webhook?x=1'))).toBe(
        'http://127.0.0.1:8132/v1/payments/webhook?x=1',
      );
      expect(() => upstreamUrl(route, event('http://127.0.0.1:9998/v1/x'))).toThrow();
      expect(() => upstreamUrl(route, event('//127.0.0.1:9998/v1/x'))).toThrow();
    });
  });
});
