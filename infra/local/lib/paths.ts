import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type Env = Readonly<Record<string, string | undefined>>;

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export interface Paths {
  /** Per-clone, git-ignored: pids, logs and data of the processes this clone started. */
  readonly state: string;
  readonly run: string;
  readonly logs: string;
  readonly data: string;
  /** Per-user, shared between clones: unpacked distributions and resolved classpaths. */
  readonly cache: string;
  readonly repo: string;
}

export function resolvePaths(env: Env = process.env): Paths {
  const state = resolve(REPO_ROOT, env['ATLAS_STATE_DIR'] ?? '.atlas');
  const cache = resolve(
    env['ATLAS_CACHE_DIR'] ?? join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'atlas-erp'),
  );
  return {
    state,
    run: join(state, 'run'),
    logs: join(state, 'logs'),
    data: join(state, 'data'),
    cache,
    repo: REPO_ROOT,
  };
}
