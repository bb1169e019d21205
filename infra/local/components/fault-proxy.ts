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
  // Where it listens whether or not this configuration wants it, so `down` finds one left running.
  const ports = faultProxyConfig(config, { ...env, ATLAS_FAULT_PROXY: 'on' });
  const entry = join(paths.repo, 'infra', 'local', 'fault-proxy', 'main.ts');
  const controlUrl = `http://127.0.0.1:${ports.controlPort}`;
  return {
    name: 'fault-proxy',
    address: `${controlUrl} (PostgreSQL :${ports.postgres.listenPort}, Redis :${ports.redis.listenPort})`,
    ports: [ports.controlPort, ports.postgres.listenPort, ports.redis.listenPort],
    marker: entry,
    wanted: proxy.enabled,
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
