import { describe, expect, it, jest } from '@jest/globals';
import { gatewayClient } from '../../local/demo/client.ts';
import { setStock } from '../../local/demo/saga.ts';
import { runDrill } from './drill.ts';
import { dependencyDown, killProcess, type Fault } from './faults.ts';

// The short form of `npm run drill` (docs/drills.md): one fault under load, the same checks. These
// strike the shared stack, so `npm test` runs this file after all others, alone (run-tests.ts).
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
    expect(result.unsettled).toEqual([]);
    expect(result.sagas).toBe(30);
    expect(result).toMatchObject({
      lost: 0,
      stuck: 0,
      crashed: 0,
      duplicated: 0,
      invariantViolations: 0,
      deadLetters: 0,
    });
  });

  it('loses, duplicates and dead-letters nothing when PostgreSQL restarts mid-load', async () => {
    const fault = dependencyDown('postgres', 3, 'PostgreSQL restart');
    // The test set-up runs the functions behind the proxy; a drill without it would prove nothing.
    expect(await fault.unavailable?.()).toBeUndefined();
    const result = await drillOnce(fault);
    expect(result.refusals).toEqual({});
    expect(result.unsettled).toEqual([]);
    // Orders caught by the restart are refused (503), never half-done, and taken when sent again
    // with their key: every one of the 5/s for 6 + 3 s is placed.
    expect(result.sagas).toBe(45);
    expect(result).toMatchObject({
      refused: 0,
      lost: 0,
      stuck: 0,
      crashed: 0,
      duplicated: 0,
      invariantViolations: 0,
      deadLetters: 0,
    });
  });
});
