import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createMetricsRegistry } from '@atlas/observability';
import { createChaos } from './chaos.ts';
import { startStatusServer } from './server.ts';
import type { SourceHealth } from './sources.ts';

let server: Server | undefined;

async function call(
  sources: SourceHealth[],
  path: string,
  method = 'GET',
): Promise<{ status: number; body: string }> {
  server = await startStatusServer({
    port: 0,
    registry: createMetricsRegistry({ service: 'test', function: 'status-test' }),
    health: () => sources,
    lag: () => Promise.resolve([{ group: 'atlas-source-f', topic: 't', partition: 0, lag: 3 }]),
    chaos: createChaos(),
  });
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: response.status, body: await response.text() };
}

async function statusOf(sources: SourceHealth[], path: string): Promise<number> {
  return (await call(sources, path)).status;
}

const source = (running: boolean, joined: boolean): SourceHealth => ({
  name: 'f',
  topics: ['atlas.order.events.v1'],
  groupId: 'atlas-source-f',
  running,
  joined,
});

describe('the delivery process status endpoints', () => {
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('is alive but not ready while a consumer has not joined its group yet', async () => {
    expect(await statusOf([source(true, true), source(true, false)], '/health')).toBe(200);
    expect(await statusOf([source(true, true), source(true, false)], '/ready')).toBe(503);
  });

  it('is ready once every consumer runs and has joined', async () => {
    expect(await statusOf([source(true, true), source(true, true)], '/ready')).toBe(200);
  });

  it('is neither alive nor ready when a consumer crashed for good', async () => {
    expect(await statusOf([source(false, true)], '/health')).toBe(503);
    expect(await statusOf([source(false, true)], '/ready')).toBe(503);
  });

  it("answers each group's lag per partition on GET /lag", async () => {
    const answer = await call([], '/lag');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual([
      { group: 'atlas-source-f', topic: 't', partition: 0, lag: 3 },
    ]);
  });

  it('arms injected delivery faults on POST /chaos and refuses settings out of range', async () => {
    const armed = await call([], '/chaos?seconds=5&duplicateRate=0.5', 'POST');
    expect(armed.status).toBe(200);
    expect(JSON.parse(armed.body)).toMatchObject({
      seconds: 5,
      duplicateRate: 0.5,
      delayRate: 0.2,
    });
    await new Promise((resolve) => server?.close(resolve));
    expect((await call([], '/chaos?seconds=5&duplicateRate=2', 'POST')).status).toBe(400);
    await new Promise((resolve) => server?.close(resolve));
    expect((await call([], '/chaos', 'POST')).status).toBe(400);
  });
});
