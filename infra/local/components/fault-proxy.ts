import { join } from 'node:path';
import type { Component, ComponentContext } from './component.ts';
import { faultProxyConfig } from '../fault-proxy/config.ts';
import { launchDetached } from '../lib/processes.ts';
import { httpOk } from '../lib/wait.ts';

/**
 * The TCP proxy the function processes reach PostgreSQL and Redis through, so that a fault drill
 * can take either down for them while the machine's own servers keep running (docs/drills.md).
 */
export function faultProxy({ paths, config, env }: ComponentContext): Component {
  const proxy = faultProxyConfig(config, env);
  const entry = join(paths.repo, 'infra', 'local', 'fault-proxy', 'main.ts');
  const controlUrl = `http://127.0.0.1:${proxy.controlPort}`;
  return {
    name: 'fault-proxy',
    address: `${controlUrl} (PostgreSQL :${proxy.postgres.listenPort}, Redis :${proxy.redis.listenPort})`,
    ports: [proxy.controlPort, proxy.postgres.listenPort, proxy.redis.listenPort],
    marker: entry,
    startTimeoutMs: 15_000,
    probe: () => httpOk(`${controlUrl}/health`),
    // Nothing to fetch: it is the repo's own code, run by this Node.
    prepare: () => Promise.resolve(),
    start() {
      return Promise.resolve(
        launchDetached(paths, 'fault-proxy', {
          command: process.execPath,
          args: [entry],
          cwd: paths.repo,
        }),
      );
    },
  };
}
