import { spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Paths } from './paths.ts';

export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** Every process we start carries this marker in its command line, so a recycled pid is never mistaken for ours. */
export function processMarker(component: string): string {
  return `-Datlas.component=${component}`;
}

function pidFile(paths: Paths, component: string): string {
  return join(paths.run, `${component}.pid`);
}

export function logFile(paths: Paths, component: string): string {
  return join(paths.logs, `${component}.log`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The pid of the process this clone started for `component`, if it still runs; stale pid files are removed. */
export function ownedPid(paths: Paths, component: string, marker: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile(paths, component), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && commandLine(pid).includes(marker)) {
    return pid;
  }
  rmSync(pidFile(paths, component), { force: true });
  return undefined;
}

export function recordPid(paths: Paths, component: string, pid: number): void {
  mkdirSync(paths.run, { recursive: true });
  writeFileSync(pidFile(paths, component), `${pid}\n`);
}

/** Starts a long-running process detached from this one (it outlives the CLI), output appended to its log. */
export function launchDetached(paths: Paths, component: string, spec: LaunchSpec): number {
  mkdirSync(paths.logs, { recursive: true });
  const log = openSync(logFile(paths, component), 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) {
      throw new Error(`could not spawn ${spec.command}`);
    }
    child.unref();
    recordPid(paths, component, child.pid);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** `signal` to the process group, SIGKILL after the grace period. Only ever called with a pid we recorded. */
export async function stopProcess(
  paths: Paths,
  component: string,
  pid: number,
  { signal = 'SIGTERM', graceMs = 30_000 }: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<void> {
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  };
  signalGroup(signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) {
    await sleep(200);
  }
  if (isAlive(pid)) {
    signalGroup('SIGKILL');
  }
  rmSync(pidFile(paths, component), { force: true });
}

/** When this clone launched `component` (the pid file is written at launch); undefined without one. */
export function launchedAt(paths: Paths, component: string): number | undefined {
  try {
    return statSync(pidFile(paths, component)).mtimeMs;
  } catch {
    return undefined;
  }
}
