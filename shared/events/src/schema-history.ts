import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** An earlier version of a schema file to compare the current one against. */
export interface SchemaBaseline {
  /** Where the two versions come from, for failure messages. */
  readonly label: string;
  readonly previous: string;
  readonly current: string;
}

function git(cwd: string, args: readonly string[]): string | undefined {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return result.status === 0 ? result.stdout : undefined;
}

/** Every `.avsc` file under `root`, as absolute paths, sorted. */
export function listSchemaFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.avsc'))
    .map((file) => join(root, file))
    .sort();
}

/**
 * The pairs (older → newer) of a schema file that must be backward compatible: the last
 * committed change against the version before it, and the working tree against HEAD when they
 * differ. A file without history (new, or a shallow clone) yields nothing to compare.
 */
export function schemaBaselines(file: string, workingText: string): SchemaBaseline[] {
  const repo = git(join(file, '..'), ['rev-parse', '--show-toplevel'])?.trim();
  if (repo === undefined) return [];
  const path = relative(repo, file);
  const baselines: SchemaBaseline[] = [];
  const atHead = git(repo, ['show', `HEAD:${path}`]);
  if (atHead !== undefined && atHead !== workingText) {
    baselines.push({
      label: `${path}: HEAD → working tree`,
      previous: atHead,
      current: workingText,
    });
  }
  const [lastChange] = (git(repo, ['log', '--format=%H', '-n', '2', '--', path]) ?? '')
    .split('\n')
    .filter((line) => line !== '');
  if (lastChange !== undefined) {
    const before = git(repo, ['show', `${lastChange}^:${path}`]);
    const after = git(repo, ['show', `${lastChange}:${path}`]);
    if (before !== undefined && after !== undefined) {
      baselines.push({
        label: `${path}: ${lastChange.slice(0, 8)}^ → ${lastChange.slice(0, 8)}`,
        previous: before,
        current: after,
      });
    }
  }
  return baselines;
}
