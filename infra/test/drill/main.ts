import { parseArgs } from 'node:util';
import { gatewayClient } from '../../local/demo/client.ts';
import { setStock } from '../../local/demo/saga.ts';
import { renderTable } from '../../local/lib/table.ts';
import { runDrill, type DrillResult } from './drill.ts';
import { FAULTS } from './faults.ts';
import { loadAverage as load, progress as log } from '../progress.ts';

/**
 * `npm run drill`: fault drills against the running system (`npm start`). Each scenario drives
 * orders across the saga's paths while one fault strikes, then checks that every order reached
 * the final status its path must reach, the invariants, duplicates and dead letters. A table per
 * run; the last line is one JSON object. Exits non-zero when a scenario lost, duplicated or
 * stranded anything, or broke an invariant.
 */
const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '20' },
    only: { type: 'string' },
  },
});

async function main(): Promise<number> {
  const gateway = gatewayClient();
  const skus = Array.from(
    { length: 10 },
    (_, index) => `SKU-DRILL-${String(index + 1).padStart(2, '0')}`,
  );
  for (const sku of skus) await setStock(gateway, sku, 1_000_000);
  const faults = args.only
    ? FAULTS.filter((fault) => fault.name.includes(args.only ?? ''))
    : FAULTS;
  const results: (DrillResult & { load: string })[] = [];
  const skipped: string[] = [];
  for (const fault of faults) {
    const unavailable = await fault.unavailable?.();
    if (unavailable) {
      log(`drill: ${fault.name} SKIPPED: ${unavailable}`);
      skipped.push(fault.name);
      continue;
    }
    log(`drill: ${fault.name} (${fault.does}); load average ${load()}`);
    const result = await runDrill(fault, {
      rate: Number(args.rate),
      seconds: Number(args.seconds),
      faultAfterMs: Math.round((Number(args.seconds) * 1000) / 4),
      // Long enough for the slowest delivery schedule (5 retries from 8 s: up to 248 s).
      settleMs: 300_000,
      skus,
    });
    results.push({ ...result, load: load() });
    log(`  ${JSON.stringify(result)}`);
  }
  log(
    `\n${renderTable(
      [
        'scenario',
        'sagas',
        'lost',
        'stuck',
        'crashed',
        'duplicated',
        'violations',
        'dead letters',
        'refused POSTs',
        'POSTs sent again',
        's',
        'load average',
      ],
      results.map((r) => [
        r.scenario,
        String(r.sagas),
        String(r.lost),
        String(r.stuck),
        String(r.crashed),
        String(r.duplicated),
        String(r.invariantViolations),
        String(r.deadLetters),
        String(r.refused),
        String(r.retried),
        String(r.seconds),
        r.load,
      ]),
    )}`,
  );
  const sum = (pick: (r: DrillResult) => number): number =>
    results.reduce((total, r) => total + pick(r), 0);
  const summary = {
    scenarios: results.length,
    skipped: skipped.length,
    sagas: sum((r) => r.sagas),
    lost: sum((r) => r.lost),
    duplicated: sum((r) => r.duplicated),
    stuck: sum((r) => r.stuck),
    crashed: sum((r) => r.crashed),
    invariantViolations: sum((r) => r.invariantViolations),
    deadLetters: sum((r) => r.deadLetters),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.lost +
    summary.crashed +
    summary.duplicated +
    summary.stuck +
    summary.invariantViolations +
    summary.deadLetters ===
    0
    ? 0
    : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`drill failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
