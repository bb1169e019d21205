import { randomUUID } from 'node:crypto';
import type { Sql } from '@atlas/db';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { createTokenVerifier, tokenVerifierOptionsFrom } from '@atlas/auth';
import { bearerFor } from '@atlas/auth/testing';
import { loadStackConfig } from '@atlas/config';
import { createIdempotencyStore, createRedisClient } from '@atlas/idempotency';
import { removeKeys } from '@atlas/idempotency/testing';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import {
  DeclarationError,
  declaredRoute,
  json,
  serve,
  type DeclaredHttpRoute,
  type HttpDeclaration,
  type HttpRouteDependencies,
  type RunningFunction,
} from './index.ts';

// A function's route comes from its function.json alone: method, path, permission, idempotency.
const keyPrefix = `atlas:test:${randomUUID()}`;
let redis: Redis;
let dependencies: HttpRouteDependencies;
let running: RunningFunction;

const declared = (route: Partial<DeclaredHttpRoute>): HttpDeclaration => ({
  name: 'place-widget',
  trigger: {
    kind: 'http',
    routes: [{ method: 'POST', path: '/v1/widgets', permission: 'orders:write', ...route }],
  },
});

const spec = {
  schemas: { body: z.strictObject({ size: z.int().min(1) }) },
  handler: () => Promise.resolve(json(202, { widgetId: randomUUID() })),
};

describe('a route declared in function.json', () => {
  beforeAll(async () => {
    redis = await createRedisClient(loadStackConfig().redis.url);
    dependencies = {
      verifier: createTokenVerifier(tokenVerifierOptionsFrom()),
      idempotencyStore: createIdempotencyStore({ redis, keyPrefix }),
      logger: createLogger({ service: 'test', function: 'declared-test', level: 'silent' }),
      registry: createMetricsRegistry({ service: 'test', function: 'declared-test' }),
    };
    running = await serve({
      name: 'declared-test',
      routes: declaredRoute(declared({}), spec, dependencies),
      logger: dependencies.logger,
      registry: dependencies.registry,
    });
  });

  afterAll(async () => {
    await running.close();
    await removeKeys(redis, keyPrefix);
    redis.disconnect();
  });

  async function post(headers: Record<string, string>): Promise<Response> {
    return fetch(`${running.url}/v1/widgets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ size: 2 }),
    });
  }

  it('checks the declared permission: 401 without a token, 403 without the permission', async () => {
    expect((await post({})).status).toBe(401);
    const viewer = await bearerFor('viewer');
    expect((await post({ authorization: viewer, 'idempotency-key': randomUUID() })).status).toBe(
      403,
    );
  });

  it('makes a command idempotent under its declared method and path', async () => {
    const ops = await bearerFor('ops');
    expect((await post({ authorization: ops })).status).toBe(400);
    const key = randomUUID();
    const first = await post({ authorization: ops, 'idempotency-key': key });
    const again = await post({ authorization: ops, 'idempotency-key': key });
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
  });

  it.each([
    ['no route', { trigger: { kind: 'http', routes: [] } }, /declares 0 routes/],
    ['an unknown method', declared({ method: 'FETCH' }), /unknown method FETCH/],
    ['an unknown permission', declared({ permission: 'orders:destroy' }), /unknown permission/],
    ['a signature route without its check', declared({ permission: 'signature' }), /own check/],
  ])('refuses at start a declaration with %s', (_case, declaration, message) => {
    const build = (): unknown =>
      declaredRoute({ name: 'place-widget', ...declaration }, spec, dependencies);
    expect(build).toThrow(DeclarationError);
    expect(build).toThrow(message);
  });

  it('refuses at start a query that asks the runtime for a command transaction', () => {
    const transactional = {
      schemas: {},
      // Never called: the declaration is refused before anything is served.
      transactional: { sql: {} as Sql, handler: () => Promise.resolve(json(200, {})) },
    };

    const build = (): unknown =>
      declaredRoute(declared({ method: 'GET' }), transactional, dependencies);

    expect(build).toThrow(/only a command/);
  });
});
