import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '../local/lib/paths.ts';
import { gatewayClient } from '../local/demo/client.ts';
import { orderBody, placeOrder, setStock, waitForOrder } from '../local/demo/saga.ts';
import { tokenFile } from './session.ts';

/**
 * The `atlas` CLI as an operator runs it: a child process against the running system, logged in
 * as ops (and as approver, in a cache folder of its own), on an order placed for the test.
 */

const MAIN = join(REPO_ROOT, 'infra/cli/main.ts');
const BIN = join(REPO_ROOT, 'node_modules/.bin/atlas');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const opsCache = mkdtempSync(join(tmpdir(), 'atlas-cli-ops-'));
const approverCache = mkdtempSync(join(tmpdir(), 'atlas-cli-approver-'));
const emptyCache = mkdtempSync(join(tmpdir(), 'atlas-cli-none-'));

function runOnce(args: string[], cache: string, script: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ATLAS_CACHE_DIR: cache, NO_COLOR: '1' },
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Runs the CLI; while it says the system is unreachable (exit 3: the stack is being restarted,
 * which is not the CLI's doing) it runs it again for up to 30 s.
 */
async function atlas(args: string[], cache = opsCache, script = MAIN): Promise<Run> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const run = await runOnce(args, cache, script);
    if (run.code !== 3 || Date.now() > deadline) return run;
    await sleep(1_000);
  }
}

// The test names the shape it expects of the document.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function json<T>(run: Run): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`not one JSON document (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

interface TraceJson {
  orderId: string;
  status: string;
  traceId: string | null;
  traceUrl: string | null;
  traceIds: string[];
  events: {
    eventType: string;
    producer: string;
    occurredAt: string;
    outbox: { publishedAt: string; outboxWaitMs: number } | null;
    deliveries: {
      consumer: string;
      outcome: string;
      attempts?: number;
      latencyMs?: number;
      inbox?: string | null;
    }[];
  }[];
  waitingOn: unknown;
  gaps: { kind: string }[];
}

const gateway = gatewayClient();
const sku = `SKU-CLI-${randomUUID().slice(0, 8).toUpperCase()}`;
let orderId = '';

beforeAll(async () => {
  await setStock(gateway, sku, 10, 'CLI test item');
  // 12 000 EUR: above the approval threshold, so the saga passes through four services.
  orderId = await placeOrder(
    gateway,
    orderBody(`cust-cli-${randomUUID().slice(0, 8)}`, [
      { sku, quantity: 1, unitPrice: '12000.00' },
    ]),
  );
  await waitForOrder(gateway, orderId, ['AWAITING_APPROVAL', 'CONFIRMED', 'CANCELLED']);
}, 90_000);

afterAll(() => {
  for (const dir of [opsCache, approverCache, emptyCache])
    rmSync(dir, { recursive: true, force: true });
});

describe('atlas (against the running system)', () => {
  it('logs in as ops and caches the token readable by its owner only', async () => {
    const run = await atlas(['login', '--user', 'ops', '--json']);
    expect(run).toMatchObject({ code: 0 });
    expect(json<{ user: string; roles: string[] }>(run)).toMatchObject({
      user: 'ops',
      roles: ['Ops'],
    });
    expect(statSync(tokenFile({ ATLAS_CACHE_DIR: opsCache })).mode & 0o777).toBe(0o600);
    expect((await atlas(['login', '--user', 'approver'], approverCache)).code).toBe(0);
  });

  it('says "not logged in" with exit 4 without a token', async () => {
    const run = await atlas(['orders', 'list'], emptyCache);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/not logged in: run `atlas login`/);
  });

  it('decides the approval: approvals list and approve, printing the Idempotency-Key', async () => {
    const list = await atlas(['approvals', 'list', '--status', 'PENDING', '--json'], approverCache);
    expect(list).toMatchObject({ code: 0 });
    let approvalId = '';
    for (let page = 1; approvalId === '' && page <= 50; page += 1) {
      const { items, total, pageSize } = json<{
        items: { approvalId: string; orderId: string }[];
        total: number;
        pageSize: number;
      }>(
        page === 1
          ? list
          : await atlas(
              ['approvals', 'list', '--status', 'PENDING', '--page', String(page), '--json'],
              approverCache,
            ),
      );
      approvalId = items.find((item) => item.orderId === orderId)?.approvalId ?? '';
      if (page * pageSize >= total) break;
    }
    expect(approvalId).not.toBe('');
    // 503 while the placement is not yet in the audit trail (separation of duties): send again.
    let run = await atlas(
      ['approvals', 'approve', approvalId, '--comment', 'cli test'],
      approverCache,
    );
    for (let attempt = 0; run.code === 3 && attempt < 10; attempt += 1) {
      await sleep(1000);
      run = await atlas(
        ['approvals', 'approve', approvalId, '--comment', 'cli test'],
        approverCache,
      );
    }
    expect(run.stderr).toBe('');
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/GRANTED/);
    expect(run.stdout).toMatch(/Idempotency-Key: [0-9a-f-]{36}/);
    await waitForOrder(gateway, orderId, ['CONFIRMED']);
  }, 60_000);

  it('traces the order once it settles: OrderPlaced … OrderConfirmed, from four services', async () => {
    const deadline = Date.now() + 60_000;
    let trace: TraceJson | undefined;
    for (;;) {
      const run = await atlas(['trace', orderId, '--json']);
      expect(run).toMatchObject({ code: 0 });
      trace = json<TraceJson>(run);
      // Spans reach the trace backend in batches, a moment after the events they record, and each
      // process exports on its own clock: a relay's publish span may land after the deliveries'.
      const complete =
        trace.events.some((e) => e.eventType === 'OrderConfirmed') &&
        trace.events.every(
          (e) => e.deliveries.length > 0 && typeof e.outbox?.outboxWaitMs === 'number',
        );
      if (complete || Date.now() > deadline) break;
      await sleep(1000);
    }
    expect(trace).toMatchObject({
      orderId,
      status: 'CONFIRMED',
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      waitingOn: null,
      gaps: [],
    });
    // The approver's decision is a request of its own, so a trace of its own.
    expect(trace.traceIds.length).toBeGreaterThanOrEqual(2);
    expect(trace.traceIds).toContain(trace.traceId);
    const types = trace.events.map((e) => e.eventType);
    expect(types[0]).toBe('OrderPlaced');
    expect(types).toEqual(
      expect.arrayContaining([
        'InventoryReserved',
        'InvoiceCreated',
        'PaymentSucceeded',
        'ApprovalRequested',
        'ApprovalGranted',
        'OrderConfirmed',
      ]),
    );
    expect(trace.events.length).toBeGreaterThanOrEqual(5);
    expect(new Set(trace.events.map((e) => e.producer))).toEqual(
      new Set(['order', 'inventory', 'billing', 'workflow']),
    );
    for (const event of trace.events) {
      expect(typeof event.occurredAt).toBe('string');
      // Every event reached at least one consumer, each delivery with its attempts and latency.
      expect(event.deliveries.length).toBeGreaterThan(0);
      for (const delivery of event.deliveries)
        expect(delivery).toMatchObject({
          outcome: 'delivered',
          attempts: expect.any(Number),
          latencyMs: expect.any(Number),
        });
      // Each consumer's inbox said what it made of it; each event left its outbox.
      expect(event.deliveries.some((delivery) => delivery.inbox === 'applied')).toBe(true);
      expect(event.outbox?.outboxWaitMs).toEqual(expect.any(Number));
    }

    const human = await atlas(['trace', orderId]);
    expect(human).toMatchObject({ code: 0 });
    expect(human.stdout).toMatch(/OrderPlaced\s+order/);
    expect(human.stdout).toContain(`/zipkin/traces/${trace.traceId ?? ''}`);
    expect(human.stdout).toMatch(/OrderPlaced .*\d+ delivered \(slowest [\d.]+ ms\)/);
    expect(human.stdout.includes('\u001b[')).toBe(false);
  }, 90_000);

  it('shows the order', async () => {
    const run = await atlas(['orders', 'show', orderId, '--json']);
    expect(run).toMatchObject({ code: 0 });
    expect(json(run)).toMatchObject({
      orderId,
      status: 'CONFIRMED',
      lines: [{ sku, quantity: 1 }],
    });
    const human = await atlas(['orders', 'show', orderId]);
    expect(human.stdout).toMatch(new RegExp(`${sku}\\s+1\\s+12000\\.00`));
  });

  it('lists orders with a filter', async () => {
    const run = await atlas([
      'orders',
      'list',
      '--status',
      'CONFIRMED',
      '--page-size',
      '5',
      '--json',
    ]);
    expect(run).toMatchObject({ code: 0 });
    expect(
      json<{ items: { status: string }[] }>(run).items.every((o) => o.status === 'CONFIRMED'),
    ).toBe(true);
  });

  it('reports the consumer lag per group', async () => {
    const run = await atlas(['lag', '--json']);
    expect(run).toMatchObject({ code: 0 });
    const lag = json<{
      total: number;
      groups: { group: string; lag: number; partitions: unknown[] }[];
    }>(run);
    expect(lag.groups.length).toBeGreaterThan(0);
    expect(lag.total).toBe(lag.groups.reduce((sum, group) => sum + group.lag, 0));
    expect(lag.groups.map((g) => g.group)).toContain('atlas-source-order-saga-orchestrator');
  });

  it('checks the invariants: the test order holds them all (exit 0)', async () => {
    const run = await atlas(['check', '--json', '--order', orderId]);
    expect(json(run)).toMatchObject({ ok: true, violations: [], scope: [orderId] });
    expect(run).toMatchObject({ code: 0 });
  }, 60_000);

  it('checks the invariants of every order: exit 0 exactly when none is violated', async () => {
    const run = await atlas(['check', '--json', '--settle', '0']);
    const result = json<{ ok: boolean; violations: unknown[] }>(run);
    expect(run.code).toBe(result.ok ? 0 : 1);
    expect(result.ok).toBe(result.violations.length === 0);
  }, 60_000);

  it('lists stuck orders and dead letters', async () => {
    const stuck = await atlas(['stuck', '--json', '--older-than', '60']);
    expect(stuck).toMatchObject({ code: 0, stderr: '' });
    expect(json<{ items: unknown[] }>(stuck).items).toEqual(expect.any(Array));
    const dlq = await atlas(['dlq', 'list', '--json']);
    expect(dlq).toMatchObject({ code: 0, stderr: '' });
    expect(json<{ items: unknown[] }>(dlq).items).toEqual(expect.any(Array));
  });

  it('exits 1 on an unknown order, with the problem on stderr', async () => {
    const unknown = randomUUID();
    for (const args of [
      ['trace', unknown, '--json'],
      ['orders', 'show', unknown],
    ]) {
      const run = await atlas(args);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^[^:\n]+: .*\n$/);
    }
  });

  it('exits 2 on an unknown command or option, 0 on --help', async () => {
    expect((await atlas(['frobnicate'])).code).toBe(2);
    expect((await atlas(['stuck', '--older-than', 'soon'])).code).toBe(2);
    const help = await atlas(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/atlas trace <orderId>/);
  });

  it('runs through the npm bin shim', async () => {
    const run = await atlas(['stuck', '--help'], opsCache, BIN);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/--older-than/);
  });

  it('logs out', async () => {
    expect((await atlas(['logout'])).stdout).toMatch(/logged out/);
    expect((await atlas(['stuck'])).code).toBe(4);
  });
});
