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
const resultsFile = join(paths.state, 'jest-results.json');
rmSync(resultsFile, { force: true });
const jestExit = run(
  process.execPath,
  [
    join(paths.repo, 'node_modules/jest/bin/jest.js'),
    '--json',
    `--outputFile=${resultsFile}`,
    ...process.argv.slice(2),
  ],
  {
    ...process.env,
    NODE_OPTIONS:
      `${process.env['NODE_OPTIONS'] ?? ''} --experimental-vm-modules --disable-warning=ExperimentalWarning`.trim(),
  },
);

let summary: JestSummary;
try {
  summary = JSON.parse(readFileSync(resultsFile, 'utf8')) as JestSummary;
} catch {
  console.log('0 passed, 1 failed');
  process.exit(jestExit === 0 ? 1 : jestExit);
}
const failed = summary.numFailedTests + summary.numRuntimeErrorTestSuites;
const skipped = summary.numPendingTests + summary.numTodoTests;
console.log(`${summary.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
process.exit(jestExit !== 0 ? jestExit : failed > 0 || summary.numPassedTests === 0 ? 1 : 0);
