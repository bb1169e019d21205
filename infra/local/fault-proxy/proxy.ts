import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A dependency the proxy stands in front of: clients connect to `listenPort`, it forwards to `upstream`. */
export interface ProxyTarget {
  readonly name: string;
  readonly listenPort: number;
  readonly upstream: { readonly host: string; readonly port: number };
}

export interface TargetState {
  readonly name: string;
  readonly listenPort: number;
  readonly upstream: string;
  readonly connections: number;
  /** Epoch ms until which the target refuses connections; absent while it serves. */
  readonly downUntil?: number;
}

export interface FaultProxy {
  /**
   * Takes `target` down for `seconds`, as a stopped or restarting server looks to its clients:
   * every open connection is cut and new ones are refused until the time is up.
   */
  takeDown(target: string, seconds: number): TargetState;
  states(): TargetState[];
  close(): Promise<void>;
}

export class UnknownTargetError extends Error {
  readonly target: string;
  constructor(target: string) {
    super(`no proxied target "${target}"`);
    this.target = target;
  }
}

interface Proxied {
  readonly target: ProxyTarget;
  readonly sockets: Set<Socket>;
  server: Server | undefined;
  downUntil: number | undefined;
  comeBack: NodeJS.Timeout | undefined;
}

function listen(entry: Proxied): Promise<void> {
  const server = createServer((client) => forward(entry, client));
  entry.server = server;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(entry.target.listenPort, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function forward(entry: Proxied, client: Socket): void {
  const upstream = createConnection(entry.target.upstream);
  // Both legs carry small request/response exchanges: Nagle's delay would add up to 40 ms each.
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  entry.sockets.add(client).add(upstream);
  const cut = (): void => {
    client.destroy();
    upstream.destroy();
    entry.sockets.delete(client);
    entry.sockets.delete(upstream);
  };
  client.on('error', cut).on('close', cut);
  upstream.on('error', cut).on('close', cut);
  client.pipe(upstream);
  upstream.pipe(client);
}

/**
 * A TCP proxy in front of the stack's PostgreSQL and Redis, so a fault drill can take them down
 * for the functions without touching the machine's own servers (docs/drills.md). It passes bytes
 * through untouched; a target taken down closes its listener (connections are refused, as by a
 * stopped server) and cuts every open connection (as a restart does).
 */
export async function startFaultProxy(targets: readonly ProxyTarget[]): Promise<FaultProxy> {
  const entries = new Map<string, Proxied>(
    targets.map((target) => [
      target.name,
      { target, sockets: new Set(), server: undefined, downUntil: undefined, comeBack: undefined },
    ]),
  );
  await Promise.all([...entries.values()].map(listen));

  const stateOf = (entry: Proxied): TargetState => ({
    name: entry.target.name,
    listenPort: entry.target.listenPort,
    upstream: `${entry.target.upstream.host}:${entry.target.upstream.port}`,
    connections: entry.sockets.size,
    ...(entry.downUntil === undefined ? {} : { downUntil: entry.downUntil }),
  });

  return {
    takeDown(name, seconds) {
      const entry = entries.get(name);
      if (!entry) throw new UnknownTargetError(name);
      entry.server?.close();
      entry.server = undefined;
      for (const socket of entry.sockets) socket.destroy();
      entry.sockets.clear();
      entry.downUntil = Date.now() + seconds * 1000;
      clearTimeout(entry.comeBack);
      entry.comeBack = setTimeout(() => {
        entry.downUntil = undefined;
        entry.comeBack = undefined;
        // The port was ours a moment ago; should another process have taken it, the proxy cannot
        // serve its purpose, so it exits and its owner sees why.
        listen(entry).catch((error: unknown) => {
          process.emitWarning(`fault proxy: cannot listen again for ${name}: ${String(error)}`);
          process.exitCode = 1;
        });
      }, seconds * 1000);
      return stateOf(entry);
    },
    states: () => [...entries.values()].map(stateOf),
    async close() {
      await Promise.all(
        [...entries.values()].map(async (entry) => {
          clearTimeout(entry.comeBack);
          for (const socket of entry.sockets) socket.destroy();
          const server = entry.server;
          if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
        }),
      );
    },
  };
}
