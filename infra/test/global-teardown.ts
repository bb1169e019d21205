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
  if (process.env['CI'] !== 'true') return;
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
