import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { down, stackContext } from '../local/stack.ts';

/** Leaves the stack running for the next run, except under CI, where it stops what the setup started. */
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
  await down(context, new Set(started));
  rmSync(record, { force: true });
}
