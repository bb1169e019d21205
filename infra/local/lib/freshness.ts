import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Files that never reach a running process: tests, docs and installed packages. */
function isRuntimeSource(name: string): boolean {
  return !name.endsWith('.test.ts') && !name.endsWith('.md');
}

/** The newest modification time (ms) of the runtime sources under `roots`; 0 when there are none. */
export function newestSourceMtime(roots: readonly string[]): number {
  let newest = 0;
  const visit = (directory: string): void => {
    let entries;
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(directory, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile() && isRuntimeSource(entry.name))
        newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const root of roots) visit(root);
  return newest;
}

/**
 * A process runs stale code when a source it loads changed after it started: Node reads modules
 * once, so tests against it would test yesterday's code.
 */
export function isStale(startedAtMs: number, sourceRoots: readonly string[]): boolean {
  return newestSourceMtime(sourceRoots) > startedAtMs;
}
