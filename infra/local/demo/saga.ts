import { setTimeout as sleep } from 'node:timers/promises';
import type { Gateway, GatewayResponse, User } from './client.ts';

export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: string;
}

export interface PlaceOrderBody {
  readonly customerId: string;
  readonly currency: string;
  readonly lines: readonly OrderLine[];
  readonly paymentMethod: { readonly type: 'card'; readonly token: string };
}

/** `GET /v1/orders/{orderId}` (contract §3). */
export interface OrderView {
  readonly orderId: string;
  readonly status: string;
  readonly customerId: string;
  readonly currency: string;
  readonly total: string;
  readonly invoiceId?: string;
  readonly approvalId?: string;
  readonly cancellationReason?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TimelineEvent {
  readonly eventId: string;
  readonly eventType: string;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly producer: string;
}

export class SagaError extends Error {
  readonly code = 'ATLAS_DEMO_SAGA';
}

function expectStatus(response: GatewayResponse, status: number, what: string): void {
  if (response.status !== status)
    throw new SagaError(
      `${what}: expected HTTP ${status}, got ${response.status} ${response.text}`,
    );
}

export function orderBody(
  customerId: string,
  lines: readonly OrderLine[],
  token = 'tok_visa',
): PlaceOrderBody {
  return { customerId, currency: 'EUR', lines, paymentMethod: { type: 'card', token } };
}

export async function placeOrder(
  gateway: Gateway,
  body: PlaceOrderBody,
  { user = 'ops', headers = {} }: { user?: User; headers?: Record<string, string> } = {},
): Promise<string> {
  const response = await gateway.call('POST', '/v1/orders', { user, body, key: true, headers });
  expectStatus(response, 202, 'POST /v1/orders');
  return (response.json as { orderId: string }).orderId;
}

export async function getOrder(gateway: Gateway, orderId: string): Promise<OrderView> {
  const response = await gateway.call('GET', `/v1/orders/${orderId}`, { user: 'viewer' });
  expectStatus(response, 200, `GET /v1/orders/${orderId}`);
  return response.json as OrderView;
}

/**
 * Polls the order until its status is one of `statuses`; throws naming the last status seen.
 * Generous by default: two cores run the whole system.
 */
export async function waitForOrder(
  gateway: Gateway,
  orderId: string,
  statuses: readonly string[],
  timeoutMs = 60_000,
): Promise<OrderView> {
  const deadline = Date.now() + timeoutMs;
  let order = await getOrder(gateway, orderId);
  while (!statuses.includes(order.status)) {
    if (Date.now() > deadline)
      throw new SagaError(
        `order ${orderId} stayed ${order.status} for ${timeoutMs / 1000}s, expected ${statuses.join(' or ')}`,
      );
    await sleep(150);
    order = await getOrder(gateway, orderId);
  }
  return order;
}

export async function cancelOrder(gateway: Gateway, orderId: string): Promise<GatewayResponse> {
  return gateway.call('POST', `/v1/orders/${orderId}/cancel`, { user: 'ops', key: true });
}

export async function setStock(
  gateway: Gateway,
  sku: string,
  onHand: number,
  name?: string,
): Promise<void> {
  const response = await gateway.call('PUT', `/v1/inventory/items/${sku}`, {
    user: 'ops',
    key: true,
    body: name === undefined ? { onHand } : { onHand, name },
  });
  expectStatus(response, 200, `PUT /v1/inventory/items/${sku}`);
}

export async function receiveStock(gateway: Gateway, sku: string, quantity: number): Promise<void> {
  const response = await gateway.call('POST', `/v1/inventory/items/${sku}/receipts`, {
    user: 'ops',
    key: true,
    body: { quantity },
  });
  expectStatus(response, 202, `POST /v1/inventory/items/${sku}/receipts`);
}

export async function decide(
  gateway: Gateway,
  approvalId: string,
  decision: 'approve' | 'reject',
  body: Record<string, string>,
): Promise<void> {
  const response = await gateway.call('POST', `/v1/approvals/${approvalId}/${decision}`, {
    user: 'approver',
    key: true,
    body,
  });
  expectStatus(response, 202, `POST /v1/approvals/${approvalId}/${decision}`);
}

export async function timeline(gateway: Gateway, orderId: string): Promise<TimelineEvent[]> {
  const response = await gateway.call('GET', `/v1/reports/orders/${orderId}/timeline`, {
    user: 'viewer',
  });
  expectStatus(response, 200, `GET /v1/reports/orders/${orderId}/timeline`);
  return (response.json as { items: TimelineEvent[] }).items;
}

/**
 * The timeline once it holds `lastEvent` (or one of them): reporting projects asynchronously, so
 * an order can be CONFIRMED a moment before its timeline shows OrderConfirmed.
 */
export async function settledTimeline(
  gateway: Gateway,
  orderId: string,
  lastEvent: string | readonly string[],
  timeoutMs = 30_000,
): Promise<TimelineEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await timeline(gateway, orderId);
    const last = typeof lastEvent === 'string' ? [lastEvent] : lastEvent;
    if (events.some((event) => last.includes(event.eventType)) || Date.now() > deadline)
      return events;
    await sleep(200);
  }
}
