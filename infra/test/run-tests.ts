import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePaths } from '../local/lib/paths.ts';

/**
 * `npm test`: lint and type-check, then Jest across the workspace against the real stack, then
 * one closing line `N passed, N failed, N skipped` that CI reads. Exits non-zero on any failure,
 * and when no test ran at all (a suite that checks nothing must not look green).
 */
interface JestSummary {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
  numRuntimeErrorTestSuites: number;
}

const paths = resolvePaths();

function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): number {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: paths.repo, env });
  return result.status ?? 1;
}

if (process.env['ATLAS_SKIP_LINT'] !== '1') {
  const lint = run(process.execPath, [join(paths.repo, 'infra/test/lint.ts')]);
  if (lint !== 0) {
    console.error(
      'Lint or type check failed; fix it or run with ATLAS_SKIP_LINT=1 while iterating.',
    );
    console.log('0 passed, 1 failed');
    process.exit(lint);
  }
}

mkdirSync(paths.state, { recursive: true });

/** Runs Jest once; answers its exit code and its summary (undefined when it wrote none). */
function jest(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): { exit: number; summary: JestSummary | undefined } {
  const resultsFile = join(paths.state, `jest-results${name}.json`);
  rmSync(resultsFile, { force: true });
  const exit = run(
    process.execPath,
    [
      join(paths.repo, 'node_modules/jest/bin/jest.js'),
      '--json',
      `--outputFile=${resultsFile}`,
      ...args,
    ],
    {
      ...process.env,
      ...env,
      NODE_OPTIONS:
        `${process.env['NODE_OPTIONS'] ?? ''} --experimental-vm-modules --disable-warning=ExperimentalWarning`.trim(),
    },
  );
  try {
    return { exit, summary: JSON.parse(readFileSync(resultsFile, 'utf8')) as JestSummary };
  } catch {
    return { exit, summary: undefined };
  }
}

// The fault drills take PostgreSQL away from every function and kill shared processes, which
// would fail whatever test ran beside them; so a plain `npm test` runs them after the rest, alone,
// on the stack the first run prepared (ATLAS_TEST_STACK tells the set-up and teardown). Jest
// arguments (`npm test -- <path>`) mean one ordinary run.
const DRILLS = '/infra/test/drill/';
function runEverything(): { exit: number; summary: JestSummary | undefined }[] {
  const main = jest(
    '',
    [
      `--testPathIgnorePatterns=${DRILLS}`,
      '--testPathIgnorePatterns=/node_modules/',
      '--testPathIgnorePatterns=/.atlas/',
    ],
    { ATLAS_TEST_STACK: 'keep' },
  );
  // No summary means the run never got going (the stack could not be prepared): the drills would
  // only fail again on the same cause and bury it under their own errors.
  if (main.summary === undefined) return [main];
  return [main, jest('-drills', ['--runInBand', DRILLS], { ATLAS_TEST_STACK: 'reuse' })];
}

const runs = process.argv.length > 2 ? [jest('', process.argv.slice(2))] : runEverything();

if (runs.some((result) => result.summary === undefined)) {
  console.log('0 passed, 1 failed');
  const exit = runs.find((result) => result.exit !== 0)?.exit ?? 1;
  process.exit(exit);
}
const total = (pick: (summary: JestSummary) => number): number =>
  runs.reduce((sum, result) => sum + (result.summary ? pick(result.summary) : 0), 0);
const passed = total((s) => s.numPassedTests);
const failed = total((s) => s.numFailedTests + s.numRuntimeErrorTestSuites);
const skipped = total((s) => s.numPendingTests + s.numTodoTests);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
const jestExit = runs.find((result) => result.exit !== 0)?.exit ?? 0;
process.exit(jestExit !== 0 ? jestExit : failed > 0 || passed === 0 ? 1 : 0);
