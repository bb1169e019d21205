import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A private redis-server for outage tests: its own port, no persistence, killable without touching anyone's Redis. */
export interface ThrowawayRedis {
  readonly url: string;
  readonly pid: number;
  /** SIGSTOP: the port stays open but nothing answers, like a hung or partitioned Redis. */
  pause(): void;
  /** SIGKILL, then waits until the process is gone. */
  kill(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const { pid } = child;
  if (pid === undefined) throw new Error('redis-server did not start');
  const exited = once(child, 'exit');
  for (let attempt = 0; attempt < 50; attempt += 1) {
    if (await accepts(port)) break;
    await sleep(100);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    pid,
    pause: () => {
      process.kill(pid, 'SIGSTOP');
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
      await exited;
    },
  };
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}
