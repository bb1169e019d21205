import { randomUUID } from 'node:crypto';
import type { Gateway } from './client.ts';
import { eventRedelivered } from './redelivery.ts';
import {
  cancelOrder,
  decide,
  orderBody,
  placeOrder,
  receiveStock,
  SagaError,
  waitForOrder,
  type OrderLine,
  type OrderView,
} from './saga.ts';

/** What a scenario tells the reader as it goes; the runner prints it. */
export interface DemoLog {
  step(text: string): void;
  /** An order whose timeline the runner prints after the scenario. */
  order(orderId: string): void;
}

export interface Scenario {
  readonly title: string;
  readonly doc: string;
  run(gateway: Gateway, log: DemoLog): Promise<void>;
}

const TERMINAL = ['CONFIRMED', 'CANCELLED'];

async function available(gateway: Gateway, sku: string): Promise<number> {
  const response = await gateway.call('GET', `/v1/inventory/items/${sku}`, { user: 'viewer' });
  if (response.status !== 200) throw new SagaError(`GET item ${sku}: ${response.status}`);
  return (response.json as { available: number }).available;
}

/** Demos run again and again on the same demo stock: top it up rather than backorder by accident. */
async function ensureAvailable(gateway: Gateway, log: DemoLog, sku: string, units: number) {
  const missing = units - (await available(gateway, sku));
  if (missing <= 0) return;
  await receiveStock(gateway, sku, missing);
  log.step(`received ${missing} × ${sku} so the demo has stock (POST …/receipts)`);
}

/** Places a one-line order as `ops`, with the line's stock topped up first. */
async function place(
  gateway: Gateway,
  log: DemoLog,
  line: OrderLine,
  token: string,
): Promise<string> {
  await ensureAvailable(gateway, log, line.sku, line.quantity);
  return placeAsIs(gateway, log, line, token);
}

/** Places a one-line order as `ops` whatever the stock (the backorder demo wants too little). */
async function placeAsIs(
  gateway: Gateway,
  log: DemoLog,
  line: OrderLine,
  token: string,
): Promise<string> {
  const orderId = await placeOrder(gateway, orderBody('demo-customer', [line], token));
  log.order(orderId);
  log.step(
    `ops placed ${line.quantity} × ${line.sku} at ${line.unitPrice} paying with ${token}: 202 PENDING, order ${orderId}`,
  );
  return orderId;
}

function outcome(order: OrderView): string {
  return order.cancellationReason ? `${order.status} (${order.cancellationReason})` : order.status;
}

async function invoiceStatus(gateway: Gateway, order: OrderView): Promise<string> {
  if (!order.invoiceId) return 'none';
  const response = await gateway.call('GET', `/v1/invoices/${order.invoiceId}`, {
    user: 'finance',
  });
  return (response.json as { status: string }).status;
}

/** Waits for the order to end and says how: its status and its invoice's. */
async function reportOutcome(gateway: Gateway, log: DemoLog, orderId: string): Promise<void> {
  const order = await waitForOrder(gateway, orderId, TERMINAL);
  log.step(`${outcome(order)}; invoice ${await invoiceStatus(gateway, order)}`);
}

async function awaitApproval(gateway: Gateway, log: DemoLog, orderId: string): Promise<string> {
  const order = await waitForOrder(gateway, orderId, ['AWAITING_APPROVAL', ...TERMINAL]);
  if (order.status !== 'AWAITING_APPROVAL' || !order.approvalId)
    throw new SagaError(`order ${orderId} is ${order.status}, expected AWAITING_APPROVAL`);
  log.step(
    `paid and AWAITING_APPROVAL (total ≥ the approval threshold), approval ${order.approvalId}`,
  );
  return order.approvalId;
}

export const happyPath: Scenario = {
  title: 'Happy path: a small order is reserved, invoiced, paid and confirmed',
  doc: 'docs/demos/saga-happy-path.md',
  async run(gateway, log) {
    const orderId = await place(
      gateway,
      log,
      { sku: 'SKU-DEMO-1', quantity: 2, unitPrice: '19.99' },
      'tok_visa',
    );
    await reportOutcome(gateway, log, orderId);
  },
};

export const approvalGranted: Scenario = {
  title: 'Approval: an order at or above 10000.00 waits for an approver, who approves',
  doc: 'docs/demos/saga-happy-path.md',
  async run(gateway, log) {
    const orderId = await place(
      gateway,
      log,
      { sku: 'SKU-DEMO-4', quantity: 1, unitPrice: '12500.00' },
      'tok_visa',
    );
    const approvalId = await awaitApproval(gateway, log, orderId);
    await decide(gateway, approvalId, 'approve', { comment: 'Known customer' });
    log.step('approver approved it (POST /v1/approvals/{id}/approve): 202');
    await reportOutcome(gateway, log, orderId);
  },
};

export const backorder: Scenario = {
  title: 'Backorder: an order larger than the stock waits; a receipt fills it',
  doc: 'docs/demos/saga-happy-path.md',
  async run(gateway, log) {
    const sku = 'SKU-DEMO-5';
    const quantity = (await available(gateway, sku)) + 2;
    log.step(`${sku} has ${quantity - 2} available`);
    const orderId = await placeAsIs(
      gateway,
      log,
      { sku, quantity, unitPrice: '49.00' },
      'tok_visa',
    );
    await waitForOrder(gateway, orderId, ['BACKORDERED']);
    log.step('BACKORDERED: the whole order waits for stock');
    await receiveStock(gateway, sku, 2);
    log.step(`ops received 2 × ${sku} (POST /v1/inventory/items/${sku}/receipts): 202`);
    const order = await waitForOrder(gateway, orderId, TERMINAL);
    log.step(`${outcome(order)}; ${sku} now has ${await available(gateway, sku)} available`);
  },
};

export const paymentDeclined: Scenario = {
  title: 'Payment declined: the card is refused, stock released, invoice voided',
  doc: 'docs/demos/saga-failure-paths.md',
  async run(gateway, log) {
    const orderId = await place(
      gateway,
      log,
      { sku: 'SKU-DEMO-2', quantity: 1, unitPrice: '35.00' },
      'tok_chargeDeclined',
    );
    await reportOutcome(gateway, log, orderId);
  },
};

export const approvalRejected: Scenario = {
  title: 'Approval rejected: the payment is refunded, stock released',
  doc: 'docs/demos/saga-failure-paths.md',
  async run(gateway, log) {
    const orderId = await place(
      gateway,
      log,
      { sku: 'SKU-DEMO-4', quantity: 1, unitPrice: '15000.00' },
      'tok_visa',
    );
    const approvalId = await awaitApproval(gateway, log, orderId);
    await decide(gateway, approvalId, 'reject', { reason: 'Credit limit exceeded' });
    log.step('approver rejected it (POST /v1/approvals/{id}/reject): 202');
    await reportOutcome(gateway, log, orderId);
  },
};

export const customerCancel: Scenario = {
  title: 'Customer cancel: cancelled while the (slow) card is still charging',
  doc: 'docs/demos/saga-failure-paths.md',
  async run(gateway, log) {
    const orderId = await place(
      gateway,
      log,
      { sku: 'SKU-DEMO-3', quantity: 1, unitPrice: '89.00' },
      'tok_slow',
    );
    const held = await waitForOrder(gateway, orderId, [
      'INVENTORY_RESERVED',
      'INVOICED',
      'PAID',
      ...TERMINAL,
    ]);
    const response = await cancelOrder(gateway, orderId);
    log.step(
      `ops cancelled it while ${held.status} (POST /v1/orders/{id}/cancel): ${response.status}`,
    );
    await reportOutcome(gateway, log, orderId);
  },
};

export const idempotentReplay: Scenario = {
  title: 'Idempotent replay: the same command twice places one order',
  doc: 'docs/demos/idempotency.md',
  async run(gateway, log) {
    await ensureAvailable(gateway, log, 'SKU-DEMO-1', 1);
    const key = randomUUID();
    const body = orderBody('demo-customer', [
      { sku: 'SKU-DEMO-1', quantity: 1, unitPrice: '19.99' },
    ]);
    const first = await gateway.call('POST', '/v1/orders', { user: 'ops', key, body });
    const orderId = (first.json as { orderId: string }).orderId;
    log.order(orderId);
    log.step(`POST /v1/orders with Idempotency-Key ${key}: ${first.status} ${first.text}`);
    const again = await gateway.call('POST', '/v1/orders', { user: 'ops', key, body });
    const replayed = again.headers.get('idempotent-replayed') ?? 'absent';
    log.step(
      `same key, same body: ${again.status}, Idempotent-Replayed: ${replayed}, body ${again.text === first.text ? 'byte-for-byte the first' : 'DIFFERENT'}`,
    );
    const other = await gateway.call('POST', '/v1/orders', {
      user: 'ops',
      key,
      body: { ...body, customerId: 'someone-else' },
    });
    log.step(
      `same key, other body: ${other.status} ${(other.json as { title?: string }).title ?? ''}`,
    );
    const order = await waitForOrder(gateway, orderId, TERMINAL);
    log.step(`one order, ${outcome(order)}`);
  },
};

/** What `npm run demo` runs, in order. */
export const SCENARIOS: readonly Scenario[] = [
  happyPath,
  approvalGranted,
  backorder,
  paymentDeclined,
  approvalRejected,
  customerCancel,
  idempotentReplay,
  eventRedelivered,
];
