import { describe, expect, it } from '@jest/globals';
import { orderBody, placeOrder, setStock, waitForOrder } from '../../local/demo/saga.ts';
import { e2eHarness } from './harness.ts';

// Contract §4 under contention: stock is never promised twice, whatever arrives at once.
const { gateway, track, unique } = e2eHarness();

const ORDERS = 50;
const UNITS = 20;

describe('concurrent orders through the gateway', () => {
  it(`lets exactly ${UNITS} of ${ORDERS} simultaneous one-unit orders for ${UNITS} units proceed`, async () => {
    const sku = unique('SKU-RUSH');
    await setStock(gateway, sku, UNITS, 'Contended item');

    const orderIds = await Promise.all(
      Array.from({ length: ORDERS }, async (_, index) =>
        track(
          await placeOrder(
            gateway,
            orderBody(unique(`rush-${index}`), [{ sku, quantity: 1, unitPrice: '2.50' }]),
          ),
        ),
      ),
    );

    const settled = await Promise.all(
      orderIds.map((orderId) =>
        waitForOrder(gateway, orderId, ['CONFIRMED', 'BACKORDERED', 'CANCELLED'], 150_000),
      ),
    );
    const byStatus = (status: string) => settled.filter((order) => order.status === status).length;
    expect({ confirmed: byStatus('CONFIRMED'), backordered: byStatus('BACKORDERED') }).toEqual({
      confirmed: UNITS,
      backordered: ORDERS - UNITS,
    });
    const item = await gateway.call('GET', `/v1/inventory/items/${sku}`, { user: 'viewer' });
    expect(item.json).toMatchObject({ onHand: UNITS, reserved: UNITS, available: 0 });
  });
});
