import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraError } from './errors.ts';

function holderAlive(path: string): boolean {
  try {
    process.kill(Number(readFileSync(path, 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `work` while holding an exclusive lock file, so two `up`s started at once (npm start in one
 * terminal, npm test in another) do not both launch Kafka. A lock whose holder died is taken over.
 */
export async function withLock<T>(
  path: string,
  work: () => Promise<T>,
  timeoutMs = 600_000,
): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!holderAlive(path)) {
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new InfraError(
          `Another atlas command (pid ${readFileSync(path, 'utf8')}) holds ${path}; wait for it or remove the file.`,
        );
      }
      await sleep(250);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(path, { force: true });
  }
}
