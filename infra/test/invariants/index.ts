import { loadSagaConfig } from '@atlas/config';
import type { ServiceDatabases } from './databases.ts';
import { RULES, type RuleOptions, type Violation } from './rules.ts';
import { loadSnapshot, type InvariantScope } from './snapshot.ts';

export { connectServiceDatabases } from './databases.ts';
export type { ConnectedDatabases, ServiceDatabases } from './databases.ts';
export { waitUntilQuiet } from './quiet.ts';
export type { QuietOptions, Quietness } from './quiet.ts';
export { RULES, SETTLED_STATUSES } from './rules.ts';
export type { Rule, RuleOptions, Violation } from './rules.ts';
export { loadSnapshot } from './snapshot.ts';
export type { InvariantScope, Snapshot } from './snapshot.ts';

/** `"10000.00"` → 1000000n. */
function thresholdCents(amount: string): bigint {
  const [units = '0', fraction = '00'] = amount.split('.');
  return BigInt(units) * 100n + BigInt(fraction.padEnd(2, '0'));
}

/**
 * Checks contract §4's invariants over the scoped orders (every order without a scope) and the
 * items they touch; answers every violation, an empty list when all hold. Call it once the system
 * is quiet (`waitUntilQuiet`): in flight, orders are legitimately unsettled.
 *
 * @example
 * const { databases, close } = connectServiceDatabases();
 * await waitUntilQuiet(databases, { orderIds });
 * expect(await checkInvariants(databases, { orderIds })).toEqual([]);
 * await close();
 */
export async function checkInvariants(
  databases: ServiceDatabases,
  scope: InvariantScope = {},
  options: RuleOptions = {
    approvalThresholdCents: thresholdCents(loadSagaConfig().approvalThreshold),
  },
): Promise<Violation[]> {
  const snapshot = await loadSnapshot(databases, scope);
  return RULES.flatMap((rule) => rule(snapshot, options));
}
