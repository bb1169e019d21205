import { describe, expect, it, jest } from '@jest/globals';
import { gatewayClient } from '../../local/demo/client.ts';
import { setStock } from '../../local/demo/saga.ts';
import { runDrill } from './drill.ts';
import { killProcess } from './faults.ts';

// The short form of `npm run drill` (docs/drills.md): one fault under load, the same checks.
jest.setTimeout(300_000);

describe('a fault drill', () => {
  it('loses, duplicates and dead-letters nothing when the saga orchestrator is killed mid-load', async () => {
    const gateway = gatewayClient();
    const skus = ['SKU-DRILL-TEST-1', 'SKU-DRILL-TEST-2', 'SKU-DRILL-TEST-3'];
    for (const sku of skus) await setStock(gateway, sku, 1_000_000);

    const result = await runDrill(killProcess('fn-order-saga-orchestrator'), {
      rate: 5,
      seconds: 6,
      faultAfterMs: 1_500,
      settleMs: 240_000,
      skus,
    });

    expect(result.sagas).toBeGreaterThanOrEqual(25);
    expect(result).toMatchObject({
      lost: 0,
      stuck: 0,
      duplicated: 0,
      invariantViolations: 0,
      deadLetters: 0,
    });
  });
});
