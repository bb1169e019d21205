import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../local/lib/paths.ts';

/** `npm run lint`: types, lint rules and formatting, each reported, the first failure's exit code returned. */
const checks: [title: string, bin: string, args: string[]][] = [
  // One program over the whole repo: 9 s cold, where turbo's per-package programs take ~60 s
  // without a cache (CI never has one). `npm run typecheck` keeps turbo's per-package cache.
  ['type check', 'tsc', ['-p', '.']],
  ['eslint', 'eslint', ['--max-warnings=0', '.']],
  ['prettier', 'prettier', ['--check', '--log-level=warn', '.']],
];

let exitCode = 0;
for (const [title, bin, args] of checks) {
  const began = Date.now();
  const result = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', bin), args, {
    stdio: 'inherit',
    cwd: REPO_ROOT,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  const status = result.status ?? 1;
  console.log(
    `lint: ${title} ${status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - began) / 1000).toFixed(1)}s)`,
  );
  if (status !== 0 && exitCode === 0) exitCode = status;
}
process.exit(exitCode);
