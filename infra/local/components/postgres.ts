import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgresClient from 'postgres';
import { SERVICE_DATABASES, type StackConfig } from '@atlas/config';
import type { Component, ComponentContext, Env } from './component.ts';
import { InfraError } from '../lib/errors.ts';
import { ensureDebianPackage } from '../lib/system-packages.ts';

async function withAdminConnection<T>(
  baseUrl: string,
  work: (sql: postgresClient.Sql) => Promise<T>,
): Promise<T> {
  const sql = postgresClient(`${baseUrl}/postgres`, {
    max: 1,
    connect_timeout: 2,
    onnotice: () => undefined,
  });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export async function selectOne(baseUrl: string): Promise<boolean> {
  try {
    return await withAdminConnection(
      baseUrl,
      async (sql) => (await sql`select 1 as ok`)[0]?.['ok'] === 1,
    );
  } catch {
    return false;
  }
}

/** The Debian cluster that serves `port`, as `pg_lsclusters` lists it. */
function debianCluster(port: number): { version: string; name: string; dataDirectory: string } {
  const result = spawnSync('pg_lsclusters', ['-h'], { encoding: 'utf8' });
  const listing = result.error ? '' : result.stdout;
  for (const line of listing.split('\n')) {
    const [version, name, clusterPort, , , dataDirectory] = line.trim().split(/\s+/);
    if (version && name && dataDirectory && Number(clusterPort) === port)
      return { version, name, dataDirectory };
  }
  throw new InfraError(
    `No PostgreSQL cluster is configured for port ${port} (pg_lsclusters). Create one with 'pg_createcluster' or set ATLAS_POSTGRES_URL.`,
  );
}

/**
 * PostgreSQL belongs to the machine: we use the running server and only create the contract's
 * databases. Where none runs on this Debian machine we start its cluster with pg_ctlcluster
 * (PostgreSQL refuses to run as root, so we cannot own the process directly).
 */
export function postgres({ config }: ComponentContext): Component {
  const url = new URL(config.postgres.baseUrl);
  const port = Number(url.port || 5432);
  return {
    name: 'postgres',
    address: `${url.hostname}:${port}`,
    ports: [port],
    marker: 'postgres',
    // SIGINT is PostgreSQL's "fast" shutdown: disconnect clients, then stop cleanly.
    stopSignal: 'SIGINT',
    startTimeoutMs: 30_000,
    probe: () => selectOne(config.postgres.baseUrl),
    async prepare() {
      if (!['127.0.0.1', 'localhost'].includes(url.hostname)) {
        throw new InfraError(
          `PostgreSQL at ${url.host} does not answer, and it is not local, so we cannot start it.`,
        );
      }
      ensureDebianPackage('pg_ctlcluster', 'postgresql', 'PostgreSQL');
    },
    async start() {
      const cluster = debianCluster(port);
      const result = spawnSync('pg_ctlcluster', [cluster.version, cluster.name, 'start'], {
        encoding: 'utf8',
      });
      if (result.status !== 0) {
        throw new InfraError(
          `pg_ctlcluster ${cluster.version} ${cluster.name} start failed: ${result.stderr.trim()}`,
        );
      }
      // The postmaster's pid is the first line of postmaster.pid in the data directory.
      const pid = Number(
        readFileSync(`${cluster.dataDirectory}/postmaster.pid`, 'utf8').split('\n')[0],
      );
      return pid;
    },
    async afterReady() {
      await withAdminConnection(config.postgres.baseUrl, async (sql) => {
        for (const database of Object.values(SERVICE_DATABASES)) {
          const existing = await sql`select 1 from pg_database where datname = ${database}`;
          if (existing.length > 0) continue;
          try {
            await sql.unsafe(`create database ${database}`);
          } catch (error) {
            // Another `up` may have created it between our check and our create.
            if ((error as { code?: string }).code !== '42P04') throw error;
          }
        }
      });
    },
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The environment that sends a function process's PostgreSQL connections through the server's
 * Unix socket when the server is this machine's (`ATLAS_POSTGRES_SOCKET_DIR`, default Debian's
 * `/var/run/postgresql`; `off` keeps TCP). A loopback TCP round trip costs a third more CPU than
 * the socket's (pgbench, docs/benchmarks.md), and a saga makes ~80 of them. Empty when the server
 * is elsewhere, the socket file is missing, or the URL names its own socket.
 */
export function postgresSocketEnv(config: StackConfig, env: Env): Record<string, string> {
  const directory = env['ATLAS_POSTGRES_SOCKET_DIR'] ?? '/var/run/postgresql';
  if (directory === '' || directory === 'off') return {};
  const url = new URL(config.postgres.baseUrl);
  if (!LOOPBACK.has(url.hostname) || url.searchParams.has('host')) return {};
  if (!existsSync(join(directory, `.s.PGSQL.${url.port || '5432'}`))) return {};
  url.searchParams.set('host', directory);
  return { ATLAS_POSTGRES_URL: url.toString() };
}
