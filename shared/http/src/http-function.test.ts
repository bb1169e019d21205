import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ConflictError } from '@atlas/errors';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { httpFunction, json, serve, type RunningFunction } from './index.ts';

const logLines: Record<string, unknown>[] = [];
const logger = createLogger({
  service: 'test',
  function: 'http-adapter-test',
  destination: new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  }),
});
const registry = createMetricsRegistry({ service: 'test', function: 'http-adapter-test' });
let ready = true;
let running: RunningFunction;

const placeThing = httpFunction(
  {
    name: 'place-thing',
    method: 'POST',
    route: '/v1/things/:thingId',
    schemas: {
      params: z.strictObject({ thingId: z.string().regex(/^t-\d+$/) }),
      body: z.strictObject({ quantity: z.int().min(1), note: z.string().optional() }),
    },
    handler: async ({ params, body }) => {
      if (params.thingId === 't-409') throw new ConflictError('Thing t-409 is locked');
      if (params.thingId === 't-500') throw new Error('secret connection string leaked');
      return json(202, { thingId: params.thingId, quantity: body.quantity });
    },
  },
  { logger, registry },
);

async function post(
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${running.url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

describe('an HTTP function', () => {
  beforeAll(async () => {
    running = await serve({
      name: 'http-adapter-test',
      routes: [{ method: 'POST', route: '/v1/things/:thingId', handle: placeThing }],
      logger,
      registry,
      readiness: { database: async () => (ready ? undefined : Promise.reject(new Error('down'))) },
    });
  });

  afterAll(async () => running.close());

  it('answers a valid request and echoes the caller correlation id and traceparent', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const response = await post('/v1/things/t-1', '{"quantity":2}', {
      'x-correlation-id': 'corr-123',
      traceparent,
    });

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ thingId: 't-1', quantity: 2 });
    expect(response.headers.get('x-correlation-id')).toBe('corr-123');
    expect(response.headers.get('traceparent')).toBe(traceparent);
  });

  it('generates a correlation id when none is sent and logs the request with it', async () => {
    const response = await post('/v1/things/t-2', '{"quantity":1}');
    const correlationId = response.headers.get('x-correlation-id');

    expect(correlationId).toMatch(/^[\da-f-]{36}$/);
    const line = logLines.find((entry) => entry['correlationId'] === correlationId);
    expect(line).toMatchObject({ status: 202, outcome: 'ok', route: 'POST /v1/things/:thingId' });
    expect(typeof line?.['latencyMs']).toBe('number');
  });

  it('rejects unknown fields and bad values with a 400 problem listing every path', async () => {
    const response = await post('/v1/things/nope', '{"quantity":0,"colour":"red"}');
    const problem = (await response.json()) as {
      status: number;
      errors: { path: string }[];
      correlationId: string;
    };

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(problem.errors.map((error) => error.path).sort()).toEqual([
      'body',
      'body.quantity',
      'params.thingId',
    ]);
    expect(problem.correlationId).toBe(response.headers.get('x-correlation-id'));
  });

  it('answers malformed JSON with a 400 problem, not the framework error page', async () => {
    const response = await post('/v1/things/t-3', '{"quantity":');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { type: string }).type).toBe(
      'https://atlas-erp.dev/problems/bad-request',
    );
  });

  it('answers a body that is not JSON with 415', async () => {
    const response = await post('/v1/things/t-3', 'quantity=1', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(415);
  });

  it('refuses a body over 1 MiB with 413, declared or streamed', async () => {
    const big = JSON.stringify({ quantity: 1, note: 'x'.repeat(1024 * 1024) });
    expect((await post('/v1/things/t-4', big)).status).toBe(413);

    const streamed = await fetch(`${running.url}/v1/things/t-4`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    });
    expect(streamed.status).toBe(413);
  });

  it('maps typed errors to their status and hides the detail of unexpected ones', async () => {
    const conflict = await post('/v1/things/t-409', '{"quantity":1}');
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { detail: string }).detail).toBe('Thing t-409 is locked');

    const failure = await post('/v1/things/t-500', '{"quantity":1}');
    const body = await failure.text();
    expect(failure.status).toBe(500);
    expect(body).not.toContain('secret');
  });

  it('answers 404 for an unknown path and 405 for a wrong method, as problems', async () => {
    const missing = await fetch(`${running.url}/v1/elsewhere`);
    const wrongMethod = await fetch(`${running.url}/v1/things/t-1`);

    expect(missing.status).toBe(404);
    expect(wrongMethod.status).toBe(405);
    expect(missing.headers.get('x-correlation-id')).toMatch(/^[\da-f-]{36}$/);
    expect(wrongMethod.headers.get('content-type')).toContain('application/problem+json');
  });

  it('serves /health, /ready that follows its checks, and Prometheus /metrics', async () => {
    const health = await fetch(`${running.url}/health`, {
      headers: { 'x-correlation-id': 'probe-1' },
    });
    expect(health.status).toBe(200);
    expect(health.headers.get('x-correlation-id')).toBe('probe-1');
    expect((await fetch(`${running.url}/ready`)).status).toBe(200);
    ready = false;
    const notReady = await fetch(`${running.url}/ready`);
    ready = true;
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not ready', checks: { database: 'down' } });

    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain('atlas_http_request_duration_seconds_bucket');
    expect(metrics).toMatch(
      /atlas_http_request_duration_seconds_count\{[^}]*status="202"[^}]*\} \d+/,
    );
  });
});
