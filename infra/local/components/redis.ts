import { Redis } from 'ioredis';
import type { Component, ComponentContext } from './component.ts';
import { InfraError } from '../lib/errors.ts';
import { launchDetached } from '../lib/processes.ts';
import { ensureDebianPackage } from '../lib/system-packages.ts';

export async function pingRedis(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Redis belongs to the machine; we start a throwaway one only where none runs. */
export function redis({ paths, config }: ComponentContext): Component {
  const url = new URL(config.redis.url);
  const port = Number(url.port || 6379);
  return {
    name: 'redis',
    address: `${url.hostname}:${port}`,
    ports: [port],
    marker: 'redis-server',
    startTimeoutMs: 10_000,
    probe: () => pingRedis(config.redis.url),
    async prepare() {
      if (!['127.0.0.1', 'localhost'].includes(url.hostname)) {
        throw new InfraError(
          `Redis at ${config.redis.url} does not answer PING, and it is not local, so we cannot start it.`,
        );
      }
      ensureDebianPackage('redis-server', 'redis-server', 'Redis');
    },
    async start() {
      return launchDetached(paths, 'redis', {
        command: 'redis-server',
        // Cache and idempotency keys only: nothing here needs to survive a restart.
        args: [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
        ],
        cwd: paths.state,
      });
    },
  };
}
