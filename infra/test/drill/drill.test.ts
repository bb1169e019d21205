import { describe, expect, it, jest } from '@jest/globals';
import { gatewayClient } from '../../local/demo/client.ts';
import { setStock } from '../../local/demo/saga.ts';
import { runDrill } from './drill.ts';
import { dependencyDown, killProcess, type Fault } from './faults.ts';

// The short form of `npm run drill` (docs/drills.md): one fault under load, the same checks.
jest.setTimeout(300_000);

const skus = ['SKU-DRILL-TEST-1', 'SKU-DRILL-TEST-2', 'SKU-DRILL-TEST-3'];

async function drillOnce(fault: Fault) {
  const gateway = gatewayClient();
  for (const sku of skus) await setStock(gateway, sku, 1_000_000);
  return runDrill(fault, { rate: 5, seconds: 6, faultAfterMs: 1_500, settleMs: 240_000, skus });
}

describe('a fault drill', () => {
  it('loses, duplicates and dead-letters nothing when the saga orchestrator is killed mid-load', async () => {
    const result = await drillOnce(killProcess('fn-order-saga-orchestrator'));
    expect(result.sagas).toBeGreaterThanOrEqual(25);
    expect(result).toMatchObject({
      lost: 0,
      stuck: 0,
      duplicated: 0,
      invariantViolations: 0,
      deadLetters: 0,
    });
  });

  it('loses, duplicates and dead-letters nothing when PostgreSQL restarts mid-load', async () => {
    const result = await drillOnce(dependencyDown('postgres', 3, 'PostgreSQL restart'));
    // Commands caught by the restart are refused (503) to their client, never half-done.
    expect(result.sagas).toBeGreaterThanOrEqual(15);
    expect(result).toMatchObject({
      lost: 0,
      stuck: 0,
      duplicated: 0,
      invariantViolations: 0,
      deadLetters: 0,
    });
  });
});
