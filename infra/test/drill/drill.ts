import { setTimeout as sleep } from 'node:timers/promises';
import { loadStackConfig } from '@atlas/config';
import { DLQ_TOPICS } from '@atlas/events';
import { createKafka } from '@atlas/messaging/kafka';
import { logLevel } from 'kafkajs';
import { gatewayClient } from '../../local/demo/client.ts';
import { functionStatuses } from '../../local/functions.ts';
import { stackContext } from '../../local/stack.ts';
import { watchConfirmations } from '../bench/saga/confirmations.ts';
import { benchClient, openLoop, type PlacedOrder } from '../bench/saga/load.ts';
import { checkInvariants, connectServiceDatabases, waitUntilQuiet } from '../invariants/index.ts';
import type { Fault } from './faults.ts';

export interface DrillOptions {
  /** Orders per second, across the saga's paths. */
  readonly rate: number;
  readonly seconds: number;
  /** When the fault strikes, after the load started. */
  readonly faultAfterMs: number;
  /** How long every order may take to reach its final status once the load ended. */
  readonly settleMs: number;
  readonly skus: readonly string[];
}

export interface DrillResult {
  readonly scenario: string;
  readonly sagas: number;
  /** Orders accepted (202) whose saga never reached a final status in time. */
  readonly lost: number;
  /** Orders that settled, but not as their path must (a happy order cancelled, …). */
  readonly stuck: number;
  /** Function processes that exited on their own while the fault lasted (their keeper restarted them). */
  readonly crashed: number;
  /** Violations of "charged/refunded at most once" and "no effect twice". */
  readonly duplicated: number;
  readonly invariantViolations: number;
  /** Dead letters written during the scenario: each one unexplained. */
  readonly deadLetters: number;
  /** Orders the client gave up on: refused for longer than its patience, or for good. */
  readonly refused: number;
  /** What the refused orders were answered, by answer. */
  readonly refusals: Record<string, number>;
  /** The first lost or stuck orders, with their path and the status the API shows now. */
  readonly unsettled: readonly { orderId: string; path: string; status: string }[];
  /** Orders sent again with their Idempotency-Key after a "not now" while the fault lasted. */
  readonly retried: number;
  readonly seconds: number;
}

// The rule names (rules.ts) of "charged and refunded at most once" and "no effect twice".
const DUPLICATE_RULES = new Set(['at-most-once', 'effect-once']);

/** Every record ever written to the four dead-letter topics. */
export async function deadLetterCount(): Promise<number> {
  const admin = createKafka({
    clientId: 'atlas-drill',
    brokers: [...loadStackConfig().kafka.brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    let total = 0;
    for (const topic of Object.values(DLQ_TOPICS))
      for (const { high } of await admin.fetchTopicOffsets(topic)) total += Number(high);
    return total;
  } finally {
    await admin.disconnect();
  }
}

/** Restarts so far of every local function process, by name. */
function restartCounts(): Map<string, number> {
  return new Map(
    functionStatuses(stackContext()).map((entry) => [entry.name, entry.restarts ?? 0]),
  );
}

/** Whether an order settled as its path must: confirmed, cancelled, or either for a race. */
export function settledRightly(order: PlacedOrder, eventType: string): boolean {
  if (order.path === 'declined' || order.path === 'rejected') return eventType === 'OrderCancelled';
  if (order.path === 'cancelled') return true;
  return eventType === 'OrderConfirmed';
}

/** The first few orders that did not settle rightly, as the API shows them now. */
async function describe(
  gatewayUrl: string,
  bearer: string,
  orders: readonly PlacedOrder[],
): Promise<{ orderId: string; path: string; status: string }[]> {
  return Promise.all(
    orders.slice(0, 10).map(async (order) => {
      const response = await fetch(`${gatewayUrl}/v1/orders/${order.orderId}`, {
        headers: { authorization: bearer },
      });
      const body = (await response.json()) as { status?: string };
      return {
        orderId: order.orderId,
        path: order.path,
        status: body.status ?? `HTTP ${response.status}`,
      };
    }),
  );
}

/**
 * One drill scenario: orders across the saga's paths at `rate` for `seconds`, `fault` striking
 * `faultAfterMs` in; then every order must reach the final status its path must reach within
 * `settleMs`, the invariants must hold over them, and no dead letter may appear.
 */
export async function runDrill(fault: Fault, options: DrillOptions): Promise<DrillResult> {
  const started = Date.now();
  const gateway = gatewayClient();
  const client = await benchClient(gateway, options.skus);
  const deadLettersBefore = await deadLetterCount();
  const restartsBefore = restartCounts();
  const watch = await watchConfirmations(loadStackConfig().kafka.brokers);
  try {
    const striking = sleep(options.faultAfterMs).then(() => fault.strike());
    const outcome = await openLoop(client, {
      rate: options.rate,
      seconds: options.seconds + (fault.lastsSeconds ?? 0),
      mixed: true,
      persistent: true,
    });
    await striking;
    const ids = outcome.placed.map((order) => order.orderId);
    const open = new Set(await watch.waitFor(ids, Date.now() + options.settleMs));
    const stuck = outcome.placed.filter((order) => {
      const settlement = watch.settlementOf(order.orderId);
      return settlement !== undefined && !settledRightly(order, settlement.eventType);
    });
    const connection = connectServiceDatabases();
    let violations: { rule: string }[];
    try {
      await waitUntilQuiet(connection.databases, { orderIds: ids, timeoutMs: 60_000 });
      violations = await checkInvariants(connection.databases, { orderIds: ids });
    } finally {
      await connection.close();
    }
    return {
      scenario: fault.name,
      sagas: outcome.placed.length,
      lost: open.size,
      stuck: stuck.length,
      crashed: [...restartCounts()].reduce(
        (sum, [name, restarts]) =>
          sum +
          Math.max(0, restarts - (restartsBefore.get(name) ?? 0) - (name === fault.kills ? 1 : 0)),
        0,
      ),
      duplicated: violations.filter((violation) => DUPLICATE_RULES.has(violation.rule)).length,
      invariantViolations: violations.length,
      deadLetters: (await deadLetterCount()) - deadLettersBefore,
      refused: [...outcome.failures.values()].reduce((sum, count) => sum + count, 0),
      refusals: Object.fromEntries(outcome.failures),
      unsettled: await describe(
        gateway.url,
        await client.approver(),
        outcome.placed.filter((order) => open.has(order.orderId) || stuck.includes(order)),
      ),
      retried: outcome.retries,
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await watch.stop();
  }
}
