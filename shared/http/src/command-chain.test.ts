import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { createTokenVerifier, tokenVerifierOptionsFrom } from '@atlas/auth';
import { loadStackConfig } from '@atlas/config';
import { createIdempotencyStore, createRedisClient } from '@atlas/idempotency';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { bearerFor } from '@atlas/auth/testing';
import { removeKeys } from '@atlas/idempotency/testing';
import {
  authenticate,
  httpFunction,
  idempotency,
  json,
  serve,
  type RunningFunction,
} from './index.ts';

const logger = createLogger({ service: 'test', function: 'command-chain-test', level: 'silent' });
const registry = createMetricsRegistry({ service: 'test', function: 'command-chain-test' });
const keyPrefix = `atlas:test:${randomUUID()}`;
let redis: Redis;
let running: RunningFunction;
let executions = 0;
let release: () => void = () => undefined;
const tokens: Record<string, string> = {};

async function place(
  body: unknown,
  headers: Record<string, string | undefined>,
): Promise<Response> {
  const defined = Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return fetch(`${running.url}/v1/widgets`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...defined },
  });
}

describe('a command behind authentication and idempotency', () => {
  beforeAll(async () => {
    redis = await createRedisClient(loadStackConfig().redis.url);
    const store = createIdempotencyStore({ redis, keyPrefix });
    const verifier = createTokenVerifier(tokenVerifierOptionsFrom());
    const route = 'POST /v1/widgets';
    const handle = httpFunction(
      {
        name: 'place-widget',
        method: 'POST',
        route: '/v1/widgets',
        schemas: { body: z.strictObject({ size: z.int().min(1), slow: z.boolean().optional() }) },
        authenticate: authenticate(verifier, 'orders:write'),
        idempotency: idempotency(store, route),
        handler: async ({ body }) => {
          executions += 1;
          if (body.slow) await new Promise<void>((resolve) => (release = resolve));
          return json(202, { widgetId: randomUUID(), size: body.size });
        },
      },
      { logger, registry },
    );
    running = await serve({
      name: 'command-chain-test',
      routes: [{ method: 'POST', route: '/v1/widgets', handle }],
      logger,
      registry,
    });
    for (const user of ['ops', 'admin', 'viewer']) tokens[user] = await bearerFor(user);
  });

  afterAll(async () => {
    await running.close();
    await removeKeys(redis, keyPrefix);
    redis.disconnect();
  });

  it('answers 401 without a token, before looking at the body', async () => {
    const response = await place({ size: 'not a number' }, { 'idempotency-key': randomUUID() });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers 403 to a caller without the permission', async () => {
    expect(
      (
        await place(
          { size: 1 },
          { authorization: tokens['viewer'], 'idempotency-key': randomUUID() },
        )
      ).status,
    ).toBe(403);
  });

  it('requires an Idempotency-Key of visible ASCII on a command', async () => {
    const missing = await place({ size: 1 }, { authorization: tokens['ops'] });
    const invisible = await place(
      { size: 1 },
      { authorization: tokens['ops'], 'idempotency-key': 'two words' },
    );

    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe(
      'Idempotency-Key',
    );
    expect(invisible.status).toBe(400);
  });

  it('replays the first response byte-for-byte for the same key and body, without running the command again', async () => {
    const key = randomUUID();
    const before = executions;

    const first = await place(
      { size: 2 },
      { authorization: tokens['ops'], 'idempotency-key': key },
    );
    const second = await place(
      { size: 2 },
      { authorization: tokens['ops'], 'idempotency-key': key },
    );

    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(await second.text()).toBe(await first.text());
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(executions - before).toBe(1);
  });

  it('answers 422 when the same key comes with a different body', async () => {
    const key = randomUUID();
    await place({ size: 3 }, { authorization: tokens['ops'], 'idempotency-key': key });
    expect(
      (await place({ size: 4 }, { authorization: tokens['ops'], 'idempotency-key': key })).status,
    ).toBe(422);
  });

  it('answers 409 while the first request with the key is still running', async () => {
    const key = randomUUID();
    const first = place(
      { size: 5, slow: true },
      { authorization: tokens['ops'], 'idempotency-key': key },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));

    const second = await place(
      { size: 5, slow: true },
      { authorization: tokens['ops'], 'idempotency-key': key },
    );
    release();

    expect(second.status).toBe(409);
    expect((await first).status).toBe(202);
  });

  it('scopes keys per user', async () => {
    const key = randomUUID();
    const before = executions;
    await place({ size: 6 }, { authorization: tokens['ops'], 'idempotency-key': key });
    const other = await place(
      { size: 6 },
      { authorization: tokens['admin'], 'idempotency-key': key },
    );

    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(executions - before).toBe(2);
  });

  it('runs the command once for 20 concurrent requests with the same key and body', async () => {
    const key = randomUUID();
    const before = executions;

    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        place({ size: 7 }, { authorization: tokens['ops'], 'idempotency-key': key }),
      ),
    );

    expect(executions - before).toBe(1);
    expect(responses.every((response) => [202, 409].includes(response.status))).toBe(true);
    expect(
      responses.filter(
        (response) => response.status === 202 && !response.headers.get('idempotent-replayed'),
      ),
    ).toHaveLength(1);
  });
});
