import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stopFunctions } from '../local/functions.ts';
import { down, stackContext } from '../local/stack.ts';

/**
 * Leaves the system running for the next run, except under CI, where it stops what the setup
 * started (a function it restarted replaced one that ran before, so that one stays).
 */
export default async function globalTeardown(): Promise<void> {
  const context = stackContext();
  const record = join(context.paths.run, 'started-by-tests.json');
  // The first Jest run of `npm test` leaves the stack to the second (run-tests.ts).
  if (process.env['CI'] !== 'true' || process.env['ATLAS_TEST_STACK'] === 'keep') return;
  let started: string[];
  try {
    started = JSON.parse(readFileSync(record, 'utf8')) as string[];
  } catch {
    return;
  }
  // Functions first: they hold connections to the stack parts stopped next.
  await stopFunctions(context, new Set(started));
  await down(context, new Set(started));
  rmSync(record, { force: true });
}
