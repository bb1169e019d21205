import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, resolvePaths } from '../local/lib/paths.ts';

/**
 * Brings the whole system up once for the run, as `npm start` does (reusing whatever already serves,
 * restarting a function process older than its code), seeds the demo stock, and notes what it
 * started, so the teardown can stop exactly that under CI.
 *
 * It runs the infra CLI in a child process: Jest loads this file as CommonJS, and the steps use
 * ESM-only clients (middy, the schema registry client).
 */
export default function globalSetup(): void {
  // A second Jest run of one `npm test` (the drills, run-tests.ts) uses the stack the first set up.
  if (process.env['ATLAS_TEST_STACK'] === 'reuse') return;
  const began = Date.now();
  const result = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'infra/local/cli.ts'), 'prepare-tests'],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      // The fault drills in npm test take PostgreSQL away from the functions through the proxy.
      env: { ...process.env, ATLAS_FAULT_PROXY: process.env['ATLAS_FAULT_PROXY'] ?? 'on' },
    },
  );
  if (result.status !== 0) {
    throw new Error(`The stack could not be prepared for the tests:\n${result.stdout}`);
  }
  const lines = result.stdout.trimEnd().split('\n');
  const { started, notes } = JSON.parse(lines.at(-1) ?? '{}') as {
    started: string[];
    notes: string[];
  };
  const paths = resolvePaths();
  mkdirSync(paths.run, { recursive: true });
  writeFileSync(join(paths.run, 'started-by-tests.json'), JSON.stringify(started));
  for (const note of notes) console.log(`\natlas: ${note}`);
  if (started.length > 0) {
    console.log(
      `\natlas: started ${started.join(', ')} for the tests in ${((Date.now() - began) / 1000).toFixed(1)}s`,
    );
  }
}
