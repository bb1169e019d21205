import { execFileSync } from 'node:child_process';
import { createConnection } from 'node:net';

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Names the process listening on a port ("java (pid 1234)"), as far as `ss` can tell. */
export function describePortHolder(port: number): string {
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(out);
    if (match) {
      return `${match[1]} (pid ${match[2]})`;
    }
  } catch {
    // ss missing or not permitted: fall through to the vague answer.
  }
  return 'another process';
}
