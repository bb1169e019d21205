import { describe, expect, it } from '@jest/globals';
import {
  cancelOrder,
  getOrder,
  orderBody,
  placeOrder,
  receiveStock,
  setStock,
  waitForOrder,
} from '../../local/demo/saga.ts';
import { e2eHarness } from './harness.ts';

// Customer cancellation (contract §3, §4) at every status it is allowed in, and after it is not.
const { gateway, track, unique } = e2eHarness();

async function item(onHand: number): Promise<string> {
  const sku = unique('SKU-CANCEL');
  await setStock(gateway, sku, onHand, 'Cancellation item');
  return sku;
}

async function itemState(sku: string) {
  const response = await gateway.call('GET', `/v1/inventory/items/${sku}`, { user: 'viewer' });
  return response.json as { onHand: number; reserved: number; available: number };
}

async function invoiceStatus(invoiceId: string | undefined): Promise<string | undefined> {
  if (invoiceId === undefined) return undefined;
  const response = await gateway.call('GET', `/v1/invoices/${invoiceId}`, { user: 'finance' });
  return (response.json as { status: string }).status;
}

async function place(sku: string, unitPrice: string, token = 'tok_visa'): Promise<string> {
  return track(
    await placeOrder(gateway, orderBody(unique('cust'), [{ sku, quantity: 1, unitPrice }], token)),
  );
}

async function cancelled(orderId: string) {
  const order = await waitForOrder(gateway, orderId, ['CANCELLED', 'CONFIRMED']);
  expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' });
  return order;
}

describe('cancelling an order', () => {
  it('cancels an order right after placing it, while PENDING', async () => {
    const sku = await item(3);
    // The slow card keeps the saga from reaching CONFIRMED before the cancel arrives: a quick
    // machine otherwise confirms a tok_visa order within ~50 ms, and the cancel would be a 409.
    const orderId = await place(sku, '7.00', 'tok_slow');

    const response = await cancelOrder(gateway, orderId);

    expect(response.status).toBe(202);
    const order = await cancelled(orderId);
    expect([undefined, 'VOIDED', 'REFUNDED']).toContain(await invoiceStatus(order.invoiceId));
    expect(await itemState(sku)).toEqual(expect.objectContaining({ reserved: 0, available: 3 }));
  });

  it('cancels a BACKORDERED order, which a later receipt then leaves alone', async () => {
    const sku = await item(0);
    const orderId = await place(sku, '7.00');
    await waitForOrder(gateway, orderId, ['BACKORDERED']);

    expect((await cancelOrder(gateway, orderId)).status).toBe(202);
    const order = await cancelled(orderId);
    expect(order.invoiceId).toBeUndefined();

    await receiveStock(gateway, sku, 1);
    expect(await itemState(sku)).toEqual(expect.objectContaining({ reserved: 0, available: 1 }));
    expect((await getOrder(gateway, orderId)).status).toBe('CANCELLED');
  });

  it('cancels a reserved or invoiced order whose slow card has not answered yet', async () => {
    const sku = await item(2);
    const orderId = await place(sku, '30.00', 'tok_slow');
    const held = await waitForOrder(gateway, orderId, ['INVENTORY_RESERVED', 'INVOICED', 'PAID']);
    expect(['INVENTORY_RESERVED', 'INVOICED']).toContain(held.status);

    expect((await cancelOrder(gateway, orderId)).status).toBe(202);

    const order = await cancelled(orderId);
    // The charge may still land after the void; the webhook then refunds it at once.
    expect(['VOIDED', 'REFUNDED']).toContain(await invoiceStatus(order.invoiceId));
    expect(await itemState(sku)).toEqual(expect.objectContaining({ reserved: 0, available: 2 }));
  });

  it('cancels an order AWAITING_APPROVAL: refunded, stock back, the approval closed', async () => {
    const sku = await item(1);
    const orderId = await place(sku, '15000.00');
    const waiting = await waitForOrder(gateway, orderId, [
      'AWAITING_APPROVAL',
      'CONFIRMED',
      'CANCELLED',
    ]);
    expect(waiting.status).toBe('AWAITING_APPROVAL');

    expect((await cancelOrder(gateway, orderId)).status).toBe(202);

    const order = await cancelled(orderId);
    expect(await invoiceStatus(order.invoiceId)).toBe('REFUNDED');
    expect(await itemState(sku)).toEqual(expect.objectContaining({ reserved: 0, available: 1 }));
    const approve = await gateway.call('POST', `/v1/approvals/${waiting.approvalId}/approve`, {
      user: 'approver',
      key: true,
    });
    expect(approve.status).toBe(409);
  });

  it('answers 409 to a second cancellation once the order is CANCELLED', async () => {
    const sku = await item(0);
    const orderId = await place(sku, '7.00');
    await waitForOrder(gateway, orderId, ['BACKORDERED']);
    expect((await cancelOrder(gateway, orderId)).status).toBe(202);
    await cancelled(orderId);

    const again = await cancelOrder(gateway, orderId);

    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('refuses to cancel a CONFIRMED order with 409, and leaves it confirmed', async () => {
    const sku = await item(1);
    const orderId = await place(sku, '9.00');
    await waitForOrder(gateway, orderId, ['CONFIRMED']);

    const response = await cancelOrder(gateway, orderId);

    expect(response.status).toBe(409);
    expect(response.json).toMatchObject({ status: 409, type: expect.any(String) });
    expect((await getOrder(gateway, orderId)).status).toBe('CONFIRMED');
    expect(await itemState(sku)).toEqual(expect.objectContaining({ reserved: 1, available: 0 }));
  });

  it('answers 404 for an order nobody placed', async () => {
    const response = await cancelOrder(gateway, '00000000-0000-4000-8000-000000000000');
    expect(response.status).toBe(404);
  });
});
