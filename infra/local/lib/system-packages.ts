import { spawnSync } from 'node:child_process';
import { InfraError } from './errors.ts';

export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Installs a Debian package when we may (root with apt-get); otherwise says what to install. */
export function ensureDebianPackage(command: string, debianPackage: string, purpose: string): void {
  if (hasCommand(command)) return;
  const canInstall = process.getuid?.() === 0 && hasCommand('apt-get');
  if (!canInstall) {
    throw new InfraError(
      `${purpose} is not running and '${command}' is missing: install ${debianPackage} (e.g. 'sudo apt-get install ${debianPackage}') or point the stack at a running one (docs/DEVELOPMENT.md).`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', debianPackage]]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (result.status !== 0) {
      throw new InfraError(
        `'apt-get ${args.join(' ')}' failed while installing ${debianPackage} for ${purpose}.`,
      );
    }
  }
}
