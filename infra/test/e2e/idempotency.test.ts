import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { GatewayResponse, User } from '../../local/demo/client.ts';
import { orderBody, placeOrder, setStock, waitForOrder } from '../../local/demo/saga.ts';
import { e2eHarness } from './harness.ts';

// Contract §3: every command requires Idempotency-Key; the same key and body replay the first
// response byte for byte with Idempotent-Replayed: true; the same key with another body is 422.
const { gateway, track, unique } = e2eHarness();

interface Command {
  readonly method: string;
  readonly path: string;
  readonly user: User;
  readonly body?: unknown;
  readonly otherBody: unknown;
}

async function sendTwice(command: Command): Promise<[GatewayResponse, GatewayResponse, string]> {
  const key = randomUUID();
  const options = {
    user: command.user,
    key,
    ...(command.body === undefined ? {} : { body: command.body }),
  };
  const first = await gateway.call(command.method, command.path, options);
  const second = await gateway.call(command.method, command.path, options);
  return [first, second, key];
}

async function expectReplayed(command: Command, firstStatus: number): Promise<GatewayResponse> {
  const [first, second, key] = await sendTwice(command);
  expect(first.status).toBe(firstStatus);
  expect(first.headers.get('idempotent-replayed')).toBeNull();
  expect(second.status).toBe(first.status);
  expect(second.text).toBe(first.text);
  expect(second.headers.get('idempotent-replayed')).toBe('true');

  const other = await gateway.call(command.method, command.path, {
    user: command.user,
    key,
    body: command.otherBody,
  });
  expect(other.status).toBe(422);
  expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);

  const keyless = await gateway.call(command.method, command.path, {
    user: command.user,
    ...(command.body === undefined ? {} : { body: command.body }),
  });
  expect(keyless.status).toBe(400);
  return first;
}

async function awaitingApproval(): Promise<string> {
  const sku = unique('SKU-IDEM');
  await setStock(gateway, sku, 1);
  const orderId = track(
    await placeOrder(
      gateway,
      orderBody(unique('cust'), [{ sku, quantity: 1, unitPrice: '10000.00' }]),
    ),
  );
  const order = await waitForOrder(gateway, orderId, [
    'AWAITING_APPROVAL',
    'CONFIRMED',
    'CANCELLED',
  ]);
  expect(order.status).toBe('AWAITING_APPROVAL');
  return order.approvalId ?? '';
}

describe('idempotent commands through the gateway', () => {
  it('replays POST /v1/orders, placing one order', async () => {
    const sku = unique('SKU-IDEM');
    await setStock(gateway, sku, 5);
    const body = orderBody(unique('cust'), [{ sku, quantity: 1, unitPrice: '3.00' }]);
    const first = await expectReplayed(
      {
        method: 'POST',
        path: '/v1/orders',
        user: 'ops',
        body,
        otherBody: { ...body, customerId: unique('other') },
      },
      202,
    );
    const { orderId } = first.json as { orderId: string };
    track(orderId);
    await waitForOrder(gateway, orderId, ['CONFIRMED']);
    const listed = await gateway.call('GET', `/v1/orders?customerId=${body.customerId}`, {
      user: 'viewer',
    });
    expect((listed.json as { total: number }).total).toBe(1);
  });

  it('scopes keys per user: another user with the same key places its own order', async () => {
    const sku = unique('SKU-IDEM');
    await setStock(gateway, sku, 5);
    const body = orderBody(unique('cust'), [{ sku, quantity: 1, unitPrice: '3.00' }]);
    const key = randomUUID();
    const byOps = await gateway.call('POST', '/v1/orders', { user: 'ops', key, body });
    const byAdmin = await gateway.call('POST', '/v1/orders', { user: 'admin', key, body });
    expect([byOps.status, byAdmin.status]).toEqual([202, 202]);
    expect(byAdmin.headers.get('idempotent-replayed')).toBeNull();
    const ids = [byOps.json, byAdmin.json].map((json) =>
      track((json as { orderId: string }).orderId),
    );
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) await waitForOrder(gateway, id, ['CONFIRMED']);
  });

  it('replays PUT /v1/inventory/items/{sku}', async () => {
    const sku = unique('SKU-IDEM');
    await expectReplayed(
      {
        method: 'PUT',
        path: `/v1/inventory/items/${sku}`,
        user: 'ops',
        body: { onHand: 5, name: 'Replayed' },
        otherBody: { onHand: 6, name: 'Replayed' },
      },
      200,
    );
  });

  it('replays POST /v1/inventory/items/{sku}/receipts, receiving once', async () => {
    const sku = unique('SKU-IDEM');
    await setStock(gateway, sku, 1);
    await expectReplayed(
      {
        method: 'POST',
        path: `/v1/inventory/items/${sku}/receipts`,
        user: 'ops',
        body: { quantity: 4 },
        otherBody: { quantity: 5 },
      },
      202,
    );
    const item = await gateway.call('GET', `/v1/inventory/items/${sku}`, { user: 'viewer' });
    expect(item.json).toMatchObject({ onHand: 5 });
  });

  it('replays POST /v1/orders/{orderId}/cancel', async () => {
    const sku = unique('SKU-IDEM');
    await setStock(gateway, sku, 0);
    const orderId = track(
      await placeOrder(
        gateway,
        orderBody(unique('cust'), [{ sku, quantity: 1, unitPrice: '3.00' }]),
      ),
    );
    await waitForOrder(gateway, orderId, ['BACKORDERED']);
    const [first, second] = await sendTwice({
      method: 'POST',
      path: `/v1/orders/${orderId}/cancel`,
      user: 'ops',
      otherBody: undefined,
    });
    expect(first.status).toBe(202);
    expect([second.status, second.text]).toEqual([202, first.text]);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const keyless = await gateway.call('POST', `/v1/orders/${orderId}/cancel`, { user: 'ops' });
    expect(keyless.status).toBe(400);
    await waitForOrder(gateway, orderId, ['CANCELLED']);
  });

  it('replays POST /v1/approvals/{approvalId}/approve', async () => {
    const approvalId = await awaitingApproval();
    await expectReplayed(
      {
        method: 'POST',
        path: `/v1/approvals/${approvalId}/approve`,
        user: 'approver',
        body: { comment: 'first' },
        otherBody: { comment: 'second' },
      },
      202,
    );
  });

  it('replays POST /v1/approvals/{approvalId}/reject', async () => {
    const approvalId = await awaitingApproval();
    await expectReplayed(
      {
        method: 'POST',
        path: `/v1/approvals/${approvalId}/reject`,
        user: 'approver',
        body: { reason: 'first' },
        otherBody: { reason: 'second' },
      },
      202,
    );
  });
});
