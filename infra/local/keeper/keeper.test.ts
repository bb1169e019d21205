import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import type { KeeperState } from '../functions.ts';

const KEEPER = join(import.meta.dirname, 'keeper.sh');

function readState(file: string): KeeperState | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as KeeperState;
  } catch {
    return undefined;
  }
}

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

describe('the keeper of a function process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-keeper-'));
  const stateFile = join(dir, 'state.json');
  const script = join(dir, 'serve.mjs');
  writeFileSync(
    script,
    "setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));\n",
  );
  let keeper: ChildProcess | undefined;

  afterEach(async () => {
    if (keeper && keeper.exitCode === null) {
      keeper.kill('SIGTERM');
      await new Promise((resolve) => keeper?.once('exit', resolve));
    }
    rmSync(stateFile, { force: true });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts the process again after a kill -9 and records why it exited', async () => {
    // Prepare
    keeper = spawn('sh', [KEEPER, stateFile, process.execPath, script], { stdio: 'ignore' });
    const first = await until(() => readState(stateFile)?.childPid ?? undefined);

    // Act
    process.kill(first, 'SIGKILL');

    // Assess: a new process within the first backoff, the old one's end on record.
    const restarted = await until(() => {
      const state = readState(stateFile);
      return state?.childPid && state.childPid !== first ? state : undefined;
    });
    expect(restarted.restarts).toBe(1);
    expect(restarted.lastExit?.reason).toBe('signal SIGKILL');
  });

  it('stops the process and itself on SIGTERM, without restarting it', async () => {
    keeper = spawn('sh', [KEEPER, stateFile, process.execPath, script], { stdio: 'ignore' });
    const child = await until(() => readState(stateFile)?.childPid ?? undefined);

    keeper.kill('SIGTERM');
    const code = await new Promise((resolve) => keeper?.once('exit', resolve));

    expect(code).toBe(0);
    expect(() => process.kill(child, 0)).toThrow();
    expect(readState(stateFile)).toMatchObject({ childPid: null, restarts: 0 });
  });
});
