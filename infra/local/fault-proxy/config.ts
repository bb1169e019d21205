import type { StackConfig } from '@atlas/config';
import type { Env } from '../components/component.ts';
import { InfraError } from '../lib/errors.ts';
import type { ProxyTarget } from './proxy.ts';

/** Where the local fault proxy listens, and what it stands in front of (docs/DEVELOPMENT.md). */
export interface FaultProxyConfig {
  /**
   * `ATLAS_FAULT_PROXY=on` sends the functions' PostgreSQL and Redis connections through the proxy
   * (the test set-up and the drills need it); off by default, since the extra hop costs the saga
   * ~10 % of its throughput and ~40 % of its latency on 2 cores (docs/benchmarks.md).
   */
  readonly enabled: boolean;
  readonly controlPort: number;
  readonly postgres: ProxyTarget;
  readonly redis: ProxyTarget;
}

function port(env: Env, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65_535)
    throw new InfraError(`${name} must be a TCP port (1–65535), got "${text}"`);
  return value;
}

function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
}

export function faultProxyConfig(config: StackConfig, env: Env): FaultProxyConfig {
  const setting = env['ATLAS_FAULT_PROXY'] ?? 'off';
  if (setting !== 'on' && setting !== 'off')
    throw new InfraError(`ATLAS_FAULT_PROXY must be "on" or "off", got "${setting}"`);
  return {
    enabled: setting === 'on',
    controlPort: port(env, 'ATLAS_FAULT_PROXY_PORT', 15400),
    postgres: {
      name: 'postgres',
      listenPort: port(env, 'ATLAS_FAULT_PROXY_POSTGRES_PORT', 15432),
      upstream: hostPort(config.postgres.baseUrl, 5432),
    },
    redis: {
      name: 'redis',
      listenPort: port(env, 'ATLAS_FAULT_PROXY_REDIS_PORT', 16379),
      upstream: hostPort(config.redis.url, 6379),
    },
  };
}

function throughProxy(url: string, listenPort: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(listenPort);
  return parsed.toString().replace(/\/$/, '');
}

/**
 * The environment that sends a function process's PostgreSQL and Redis connections through the
 * proxy; empty when the proxy is off. A per-service `ATLAS_<SERVICE>_DATABASE_URL` still wins.
 */
export function proxiedEnv(config: StackConfig, proxy: FaultProxyConfig): Record<string, string> {
  if (!proxy.enabled) return {};
  return {
    ATLAS_POSTGRES_URL: throughProxy(config.postgres.baseUrl, proxy.postgres.listenPort),
    ATLAS_REDIS_URL: throughProxy(config.redis.url, proxy.redis.listenPort),
  };
}
