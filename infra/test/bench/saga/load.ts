import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** The saga paths the bench drives; `happy` is the headline, the others make up the mix. */
export type Path = 'happy' | 'declined' | 'cancelled' | 'approved';

/** The share of each path in mixed mode, as a business would see it on an ordinary day. */
export const MIX: Readonly<Record<Path, number>> = {
  happy: 0.85,
  declined: 0.05,
  cancelled: 0.05,
  approved: 0.05,
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
}

export interface BenchClient {
  readonly gatewayUrl: string;
  /** `Bearer …` of a user with orders:write. */
  readonly orderer: string;
  /** `Bearer …` of a user with approvals:decide who did not place the orders. */
  readonly approver: string;
  readonly skus: readonly string[];
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
  const lineCount = Math.min(1 + Math.floor(Math.random() * 3), client.skus.length);
  const skus = new Set<string>();
  while (skus.size < lineCount) skus.add(pick(client.skus));
  // Above the default approval threshold (10000.00) only on the approval path.
  const unitPrice = path === 'approved' ? '12000.00' : '19.99';
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
): Promise<Response> {
  return fetch(`${client.gatewayUrl}${path}`, {
    method: 'POST',
    headers: {
      authorization: bearer,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body,
  });
}

/** 5 minutes of polling every 250 ms. */
const APPROVER_PATIENCE_POLLS = 1_200;

/** What the bench does after the 202 of the paths that need a second command. */
async function followUp(client: BenchClient, order: PlacedOrder): Promise<void> {
  if (order.path === 'cancelled') {
    const response = await post(client, `/v1/orders/${order.orderId}/cancel`, '{}', client.orderer);
    await response.arrayBuffer();
    return;
  }
  if (order.path !== 'approved') return;
  // The approval exists once the payment succeeded; the order names it then. A person waits as
  // long as a fault drill may hold the saga up (the delivery policy retries for ~4 minutes).
  for (let tries = 0; tries < APPROVER_PATIENCE_POLLS; tries++) {
    const response = await fetch(`${client.gatewayUrl}/v1/orders/${order.orderId}`, {
      headers: { authorization: client.approver },
    });
    const body = (await response.json()) as { status?: string; approvalId?: string };
    if (body.status === 'AWAITING_APPROVAL' && body.approvalId) {
      const decided = await post(
        client,
        `/v1/approvals/${body.approvalId}/approve`,
        '{}',
        client.approver,
      );
      await decided.arrayBuffer();
      return;
    }
    if (body.status === 'CONFIRMED' || body.status === 'CANCELLED') return;
    await sleep(250);
  }
}

/** Places one order; answers it when the gateway said 202, else the failure's label. */
async function placeOne(client: BenchClient, mixed: boolean): Promise<PlacedOrder | string> {
  const path = choosePath(mixed);
  const started = performance.now();
  try {
    const response = await post(client, '/v1/orders', orderBody(client, path), client.orderer);
    const text = await response.text();
    const postMs = performance.now() - started;
    if (response.status !== 202) return `HTTP ${response.status}`;
    const { orderId } = JSON.parse(text) as { orderId: string };
    return { orderId, path, acceptedAt: Date.now(), postMs };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function recorder(): {
  outcome: LoadOutcome;
  note: (result: PlacedOrder | string) => PlacedOrder | undefined;
} {
  const outcome: LoadOutcome = { placed: [], failures: new Map() };
  return {
    outcome,
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
  const { outcome, note } = recorder();
  const until = performance.now() + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (performance.now() < until) {
        const order = note(await placeOne(client, options.mixed));
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
  options: { rate: number; seconds: number; mixed: boolean },
): Promise<LoadOutcome> {
  const { outcome, note } = recorder();
  const inFlight: Promise<void>[] = [];
  const intervalMs = 1000 / options.rate;
  const start = performance.now();
  const total = Math.round(options.rate * options.seconds);
  for (let index = 0; index < total; index++) {
    const due = start + index * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(
      placeOne(client, options.mixed).then(async (result) => {
        const order = note(result);
        if (order && order.path !== 'happy') await followUp(client, order);
      }),
    );
  }
  await Promise.allSettled(inFlight);
  return outcome;
}
