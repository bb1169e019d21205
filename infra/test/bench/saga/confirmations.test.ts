import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { loadStackConfig } from '@atlas/config';
import { gatewayClient } from '../../../local/demo/client.ts';
import { setStock } from '../../../local/demo/saga.ts';
import { watchConfirmations, type ConfirmationWatch } from './confirmations.ts';
import { benchClient, openLoop, type BenchClient } from './load.ts';

// The bench's own measuring parts against the running system: what it counts as confirmed is
// an OrderConfirmed record read from Kafka, never a 202.
jest.setTimeout(120_000);
const gateway = gatewayClient();
let watch: ConfirmationWatch;

const clientFor = (skus: string[]): Promise<BenchClient> => benchClient(gateway, skus);

describe('the saga bench', () => {
  beforeAll(async () => {
    watch = await watchConfirmations(loadStackConfig().kafka.brokers);
  });
  afterAll(async () => {
    await watch.stop();
  });

  it('counts an order confirmed only when its OrderConfirmed record arrives', async () => {
    const sku = `SKU-BENCHTEST-${randomUUID().slice(0, 8)}`;
    await setStock(gateway, sku, 100);

    const outcome = await openLoop(await clientFor([sku]), { rate: 5, seconds: 1, mixed: false });
    const lost = await watch.waitFor(
      outcome.placed.map((order) => order.orderId),
      Date.now() + 60_000,
    );

    expect(outcome.placed).toHaveLength(5);
    expect(lost).toEqual([]);
    for (const order of outcome.placed) {
      const settlement = watch.settlementOf(order.orderId);
      expect(settlement?.eventType).toBe('OrderConfirmed');
      expect(settlement?.at ?? 0).toBeGreaterThanOrEqual(order.acceptedAt - 1_000);
    }
  });

  it('reports as lost every accepted order whose saga does not confirm', async () => {
    // No stock: each order is accepted (202) and then waits BACKORDERED, never confirmed.
    const sku = `SKU-BENCHTEST-${randomUUID().slice(0, 8)}`;
    await setStock(gateway, sku, 0);

    const outcome = await openLoop(await clientFor([sku]), { rate: 5, seconds: 1, mixed: false });
    const ids = outcome.placed.map((order) => order.orderId);
    const lost = await watch.waitFor(ids, Date.now() + 5_000);

    expect(ids).toHaveLength(5);
    expect(lost.sort()).toEqual([...ids].sort());
  });
});
