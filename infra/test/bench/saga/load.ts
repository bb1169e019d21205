import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Gateway } from '../../../local/demo/client.ts';
import { setStock } from '../../../local/demo/saga.ts';

/** The saga paths the bench drives; `happy` is the headline, the others make up the mix. */
export type Path = 'happy' | 'declined' | 'cancelled' | 'approved' | 'rejected' | 'backordered';

/** The share of each path in mixed mode, as a business would see it on an ordinary day. */
export const MIX: Readonly<Record<Path, number>> = {
  happy: 0.8,
  declined: 0.04,
  cancelled: 0.04,
  approved: 0.04,
  rejected: 0.04,
  backordered: 0.04,
};

export interface PlacedOrder {
  readonly orderId: string;
  readonly path: Path;
  /** When the 202 arrived (epoch ms): where place→settled is measured from. */
  readonly acceptedAt: number;
  readonly postMs: number;
}

export interface LoadOutcome {
  readonly placed: PlacedOrder[];
  /** POSTs that did not answer 202 (each with its status), by status. */
  readonly failures: Map<string, number>;
  /** Orders a persistent client had to send again before they were taken. */
  retries: number;
}

export interface BenchClient {
  readonly gatewayUrl: string;
  /** `Bearer …` of a user with orders:write. */
  readonly orderer: () => Promise<string>;
  /** `Bearer …` of a user with approvals:decide who did not place the orders. */
  readonly approver: () => Promise<string>;
  readonly skus: readonly string[];
  /**
   * An item with no stock: a backordered order takes one of it, and one unit is received for each
   * such order once inventory has dealt with it (see followUp), so every backorder is filled in
   * the end and stock never piles up.
   */
  readonly backorderSku: string;
}

/** The bench's customer, approver and stock, with an item of its own for the backorder path. */
export async function benchClient(gateway: Gateway, skus: readonly string[]): Promise<BenchClient> {
  const backorderSku = `SKU-BACKORDER-${randomUUID().slice(0, 8)}`;
  await setStock(gateway, backorderSku, 0, 'Backordered item');
  return {
    gatewayUrl: gateway.url,
    // Asked for each request: the gateway client refreshes a token a minute before it expires,
    // and a drill under a lasting fault runs longer than one token lives (5 minutes).
    orderer: () => gateway.bearer('ops'),
    approver: () => gateway.bearer('approver'),
    skus,
    backorderSku,
  };
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

function choosePath(mixed: boolean): Path {
  if (!mixed) return 'happy';
  let roll = Math.random();
  for (const [path, share] of Object.entries(MIX) as [Path, number][]) {
    roll -= share;
    if (roll < 0) return path;
  }
  return 'happy';
}

function orderBody(client: BenchClient, path: Path): string {
  if (path === 'backordered') {
    return JSON.stringify({
      customerId: `bench-${Math.floor(Math.random() * 1000)}`,
      currency: 'EUR',
      lines: [{ sku: client.backorderSku, quantity: 1, unitPrice: '19.99' }],
      paymentMethod: { type: 'card', token: 'tok_visa' },
    });
  }
  const lineCount = Math.min(1 + Math.floor(Math.random() * 3), client.skus.length);
  const skus = new Set<string>();
  while (skus.size < lineCount) skus.add(pick(client.skus));
  // Above the default approval threshold (10000.00) only on the approval paths.
  const unitPrice = path === 'approved' || path === 'rejected' ? '12000.00' : '19.99';
  return JSON.stringify({
    customerId: `bench-${Math.floor(Math.random() * 1000)}`,
    currency: 'EUR',
    lines: [...skus].map((sku) => ({
      sku,
      quantity: 1 + Math.floor(Math.random() * 2),
      unitPrice,
    })),
    paymentMethod: { type: 'card', token: path === 'declined' ? 'tok_chargeDeclined' : 'tok_visa' },
  });
}

async function post(
  client: BenchClient,
  path: string,
  body: string,
  bearer: string,
  idempotencyKey: string = randomUUID(),
): Promise<Response> {
  return fetch(`${client.gatewayUrl}${path}`, {
    method: 'POST',
    headers: {
      authorization: bearer,
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
    },
    body,
  });
}

/** How long a person keeps at a follow-up: as long as a fault drill may hold the saga up. */
const PATIENCE_MS = 300_000;

interface Answer {
  /** 0 when no answer came at all. */
  readonly status: number;
  readonly text: string;
  /** How many times it was sent again after a "not now". */
  readonly retries: number;
}

/**
 * POSTs a command, and with `persistent` as a careful client does: one Idempotency-Key, sent again
 * while the system answers "not now" (no answer, 5xx, 429) until patience runs out.
 */
async function postCommand(
  client: BenchClient,
  path: string,
  body: string,
  bearer: () => Promise<string>,
  persistent: boolean,
): Promise<Answer> {
  const key = randomUUID();
  const deadline = Date.now() + PATIENCE_MS;
  for (let retries = 0; ; retries++) {
    let answer: Answer = { status: 0, text: '', retries };
    try {
      const response = await post(client, path, body, await bearer(), key);
      answer = { status: response.status, text: await response.text(), retries };
    } catch (error) {
      // No answer (a process restarting): the same key makes the next try safe.
      answer = { ...answer, text: error instanceof Error ? error.message : String(error) };
    }
    const notNow =
      answer.status === 0 ||
      answer.status >= 500 ||
      answer.status === 429 ||
      // The same key still being handled (a first attempt cut off by a fault): ask again later.
      (answer.status === 409 && answer.text.includes('ATLAS_IDEMPOTENCY_IN_FLIGHT'));
    if (!persistent || !notNow || Date.now() > deadline) return answer;
    await sleep(1_000);
  }
}

/** Polls the order until `ready` says its follow-up is due (answers the order) or it settled. */
async function waitForOrder(
  client: BenchClient,
  orderId: string,
  ready: (order: OrderView) => boolean,
): Promise<OrderView | undefined> {
  const deadline = Date.now() + PATIENCE_MS;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${client.gatewayUrl}/v1/orders/${orderId}`, {
        headers: { authorization: await client.approver() },
      });
      const order = (await response.json()) as OrderView;
      if (ready(order)) return order;
      if (order.status === 'CONFIRMED' || order.status === 'CANCELLED') return undefined;
    } catch {
      // The gateway restarting, say: ask again.
    }
    await sleep(250);
  }
  return undefined;
}

interface OrderView {
  readonly status?: string;
  readonly approvalId?: string;
}

/** What the bench does after the 202 of the paths that need a second command. */
async function followUp(client: BenchClient, order: PlacedOrder): Promise<void> {
  switch (order.path) {
    case 'cancelled':
      await postCommand(client, `/v1/orders/${order.orderId}/cancel`, '{}', client.orderer, true);
      return;
    case 'approved':
    case 'rejected': {
      // The approval exists once the payment succeeded; the order names it then.
      const waiting = await waitForOrder(
        client,
        order.orderId,
        (view) => view.status === 'AWAITING_APPROVAL' && view.approvalId !== undefined,
      );
      if (!waiting?.approvalId) return;
      const decision = order.path === 'approved' ? 'approve' : 'reject';
      const body = order.path === 'approved' ? '{}' : '{"reason":"over budget"}';
      await postCommand(
        client,
        `/v1/approvals/${waiting.approvalId}/${decision}`,
        body,
        client.approver,
        true,
      );
      return;
    }
    case 'backordered': {
      // Once inventory has dealt with the order, one unit arrives for it, whatever the order's
      // status by then: backorders fill oldest first, so another order's receipt may already have
      // filled this one (it may never be seen BACKORDERED), and this unit then fills the order that
      // receipt was meant for. One unit per backordered order: every backorder is filled in the end.
      const dealtWith = await waitForOrder(
        client,
        order.orderId,
        (view) => view.status !== undefined && view.status !== 'PENDING',
      );
      if (!dealtWith) return;
      await postCommand(
        client,
        `/v1/inventory/items/${client.backorderSku}/receipts`,
        '{"quantity":1}',
        client.orderer,
        true,
      );
      return;
    }
    default:
      return;
  }
}

/**
 * Places one order; answers it when the gateway said 202, else the failure's label. A persistent
 * client sends a refused order again with its key until it is taken (the drills); the bench's
 * client does not, so that what the system refuses shows.
 */
async function placeOne(
  client: BenchClient,
  mixed: boolean,
  persistent: boolean,
  onRetries: (count: number) => void,
): Promise<PlacedOrder | string> {
  const path = choosePath(mixed);
  const started = performance.now();
  const answer = await postCommand(
    client,
    '/v1/orders',
    orderBody(client, path),
    client.orderer,
    persistent,
  );
  onRetries(answer.retries);
  const postMs = performance.now() - started;
  if (answer.status === 0) return answer.text;
  if (answer.status !== 202) return `HTTP ${answer.status}`;
  const { orderId } = JSON.parse(answer.text) as { orderId: string };
  return { orderId, path, acceptedAt: Date.now(), postMs };
}

function recorder(): {
  outcome: LoadOutcome;
  note: (result: PlacedOrder | string) => PlacedOrder | undefined;
  retried: (count: number) => void;
} {
  const outcome: LoadOutcome = { placed: [], failures: new Map(), retries: 0 };
  return {
    outcome,
    retried(count) {
      outcome.retries += count;
    },
    note(result) {
      if (typeof result === 'string') {
        outcome.failures.set(result, (outcome.failures.get(result) ?? 0) + 1);
        return undefined;
      }
      outcome.placed.push(result);
      return result;
    },
  };
}

/**
 * Closed loop: `clients` customers, each placing an order, waiting until its saga settled (its
 * final event read from Kafka, at most `settleTimeoutMs`), then placing the next, for `seconds`.
 * Throughput is then what the whole saga sustains, not how fast the gateway takes orders in.
 */
export async function closedLoop(
  client: BenchClient,
  options: {
    clients: number;
    seconds: number;
    mixed: boolean;
    settled: (orderId: string, deadline: number) => Promise<unknown>;
    settleTimeoutMs: number;
  },
): Promise<LoadOutcome> {
  const { outcome, note, retried } = recorder();
  const until = performance.now() + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (performance.now() < until) {
        const order = note(await placeOne(client, options.mixed, false, retried));
        if (!order) continue;
        if (order.path !== 'happy') await followUp(client, order);
        await options.settled(order.orderId, Date.now() + options.settleTimeoutMs);
      }
    }),
  );
  return outcome;
}

/**
 * Open loop: one order every 1/rate s for `seconds`, whatever the system answers meanwhile, so a
 * slow system builds a backlog instead of slowing the load down (no coordinated omission).
 */
export async function openLoop(
  client: BenchClient,
  options: { rate: number; seconds: number; mixed: boolean; persistent?: boolean },
): Promise<LoadOutcome> {
  const { outcome, note, retried } = recorder();
  const inFlight: Promise<void>[] = [];
  const intervalMs = 1000 / options.rate;
  const start = performance.now();
  const total = Math.round(options.rate * options.seconds);
  for (let index = 0; index < total; index++) {
    const due = start + index * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(
      placeOne(client, options.mixed, options.persistent ?? false, retried).then(async (result) => {
        const order = note(result);
        if (order && order.path !== 'happy') await followUp(client, order);
      }),
    );
  }
  await Promise.allSettled(inFlight);
  return outcome;
}
