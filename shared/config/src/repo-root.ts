import { fileURLToPath } from 'node:url';

/** Where the repository's files are when this module runs from its source tree. */
const SOURCE_REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The folder that holds the files a function reads at run time (`schemas/`, the catalog's
 * `functions/*\/*\/function.json`, migrations, `.atlas/`): `ATLAS_REPO_ROOT` when set (a bundled
 * function, whose own location says nothing about the repository), else the source tree's root.
 */
export function repoRoot(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env['ATLAS_REPO_ROOT'] ?? SOURCE_REPO_ROOT;
}
