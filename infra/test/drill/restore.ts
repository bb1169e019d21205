import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStackConfig } from '@atlas/config';
import { backup, restore } from '../../local/backup.ts';
import { gatewayClient } from '../../local/demo/client.ts';
import { setStock } from '../../local/demo/saga.ts';
import { stackContext } from '../../local/stack.ts';
import { watchConfirmations } from '../bench/saga/confirmations.ts';
import { benchClient, openLoop, type BenchClient, type PlacedOrder } from '../bench/saga/load.ts';
import { checkInvariants, connectServiceDatabases, waitUntilQuiet } from '../invariants/index.ts';
import { deadLetterCount, settledRightly } from './drill.ts';
import { loadAverage as load, progress as log } from '../progress.ts';

/**
 * `npm run drill:restore` — the restore drill of docs/runbooks/backup-and-restore.md, against the
 * running system: orders, a backup, more orders, a restore to the backup; then the orders from
 * before the backup must be as they were, the ones after it gone, new orders must flow, the
 * invariants hold over everything (nothing charged twice) and no dead letter appear. The last
 * line is one JSON object; the exit code is 1 when anything is off.
 */
const RATE = 10;
const SECONDS = 10;
const SETTLE_MS = 300_000;

interface Phase {
  readonly placed: PlacedOrder[];
  /** Orders that did not settle as their path must in time. */
  readonly unsettled: number;
}

/** Orders across the saga's paths for SECONDS at RATE, each waited for until it settled. */
async function ordersSettled(client: BenchClient, rate = RATE): Promise<Phase> {
  const watch = await watchConfirmations(loadStackConfig().kafka.brokers);
  try {
    const outcome = await openLoop(client, { rate, seconds: SECONDS, mixed: true });
    const ids = outcome.placed.map((order) => order.orderId);
    const open = await watch.waitFor(ids, Date.now() + SETTLE_MS);
    const wrong = outcome.placed.filter((order) => {
      const settlement = watch.settlementOf(order.orderId);
      return settlement !== undefined && !settledRightly(order, settlement.eventType);
    });
    return { placed: outcome.placed, unsettled: open.length + wrong.length };
  } finally {
    await watch.stop();
  }
}

async function statusOf(client: BenchClient, orderId: string): Promise<string> {
  const response = await fetch(`${client.gatewayUrl}/v1/orders/${orderId}`, {
    headers: { authorization: await client.approver() },
  });
  if (response.status === 404) return 'gone';
  const body = (await response.json()) as { status?: string };
  return body.status ?? `HTTP ${response.status}`;
}

async function statuses(client: BenchClient, orders: readonly PlacedOrder[]) {
  const result = new Map<string, string>();
  for (const order of orders) result.set(order.orderId, await statusOf(client, order.orderId));
  return result;
}

async function main(): Promise<number> {
  const context = stackContext();
  const gateway = gatewayClient();
  const skus = ['SKU-RESTORE-1', 'SKU-RESTORE-2', 'SKU-RESTORE-3'];
  for (const sku of skus) await setStock(gateway, sku, 1_000_000);
  const client = await benchClient(gateway, skus);

  log(`restore drill: orders before the backup; load average ${load()}`);
  const before = await ordersSettled(client);
  const connection = connectServiceDatabases();
  await waitUntilQuiet(connection.databases, {
    orderIds: before.placed.map((order) => order.orderId),
    timeoutMs: 60_000,
  });
  await connection.close();
  const statusBefore = await statuses(client, before.placed);
  const deadLettersAtBackup = await deadLetterCount();

  const dir = mkdtempSync(join(tmpdir(), 'atlas-backup-'));
  log(`restore drill: backup into ${dir}; load average ${load()}`);
  const taken = await backup(context, join(dir, 'backup'));
  log(`  functions paused ${(taken.manifest.pausedMs / 1000).toFixed(1)} s`);

  log(`restore drill: orders after the backup, which the restore takes back`);
  const after = await ordersSettled(client);

  log(`restore drill: restore; load average ${load()}`);
  const restoreStarted = Date.now();
  const restored = await restore(context, taken.dir);
  const restoreMs = Date.now() - restoreStarted;
  rmSync(dir, { recursive: true, force: true });

  // The backup's orders are as they were; the later ones are gone with everything they caused.
  const statusRestored = await statuses(client, before.placed);
  const changed = before.placed.filter(
    (order) => statusRestored.get(order.orderId) !== statusBefore.get(order.orderId),
  ).length;
  const survivors = [...(await statuses(client, after.placed)).values()].filter(
    (status) => status !== 'gone',
  ).length;

  log(`restore drill: orders after the restore; load average ${load()}`);
  // A fresh backorder item: the restore took the drill's last one back with its receipts.
  const resumed = await ordersSettled(await benchClient(gateway, skus));

  const check = connectServiceDatabases();
  let violations: { rule: string }[];
  try {
    const orderIds = [...before.placed, ...resumed.placed].map((order) => order.orderId);
    await waitUntilQuiet(check.databases, { orderIds, timeoutMs: 60_000 });
    violations = await checkInvariants(check.databases, { orderIds });
  } finally {
    await check.close();
  }
  const result = {
    ordersBeforeBackup: before.placed.length,
    ordersAfterBackup: after.placed.length,
    ordersAfterRestore: resumed.placed.length,
    unsettledBeforeBackup: before.unsettled,
    changedByRestore: changed,
    survivedRestore: survivors,
    unsettledAfterRestore: resumed.unsettled,
    invariantViolations: violations.length,
    duplicated: violations.filter((v) => v.rule === 'at-most-once' || v.rule === 'effect-once')
      .length,
    deadLetters: (await deadLetterCount()) - deadLettersAtBackup,
    pausedForBackupMs: taken.manifest.pausedMs,
    restoreMs,
    forgottenRedisKeys: restored.forgottenKeys,
    loadAverage: load(),
  };
  for (const violation of violations.slice(0, 10)) log(`  violation: ${JSON.stringify(violation)}`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  const bad =
    result.unsettledBeforeBackup +
    result.changedByRestore +
    result.survivedRestore +
    result.unsettledAfterRestore +
    result.invariantViolations +
    result.deadLetters;
  return bad === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(
      `restore drill failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(2);
  },
);
