import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from './errors.ts';
import { runCommand } from './run.ts';

/**
 * Unpacks a .tar.gz into `target` once. Unpacks beside it first and renames, so an interrupted
 * run never leaves a half-unpacked directory that a later run would take for complete.
 */
export async function unpackOnce(
  archive: string,
  target: string,
  { stripTopDirectory }: { stripTopDirectory: boolean },
): Promise<string> {
  if (existsSync(target)) {
    return target;
  }
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const result = await runCommand('tar', ['-xzf', archive, '-C', staging]);
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new InfraError(
      `Could not unpack ${archive}: ${result.output.trim() || 'tar failed'}. Delete it and run again to download it anew.`,
    );
  }
  let root = staging;
  if (stripTopDirectory) {
    const entries = readdirSync(staging);
    if (entries.length === 1 && entries[0] !== undefined) root = join(staging, entries[0]);
  }
  renameSync(root, target);
  rmSync(staging, { recursive: true, force: true });
  return target;
}
