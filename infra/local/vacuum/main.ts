import { createServer } from 'node:http';
import { loadStackConfig, serviceNames } from '@atlas/config';
import { createSql } from '@atlas/db';
import { counter, createLogger, createMetricsRegistry } from '@atlas/observability';
import { integerSetting } from '../lib/settings.ts';
import { serverAutovacuumOn, vacuumPass } from './pass.ts';

// The local stack's stand-in for PostgreSQL's autovacuum: `node infra/local/vacuum/main.ts`.
// This machine's PostgreSQL belongs to the machine and runs with `autovacuum = off`, which is
// not ours to change (ADR-0045). Without vacuum the tables the saga updates (orders, the read
// models) keep every dead row version in their heaps and indexes, and the saga slows down run
// after run. Every ATLAS_VACUUM_INTERVAL_MS it does, in each service database, what autovacuum
// would; on a server whose autovacuum is on it does nothing. Local only: the cluster's
// PostgreSQL runs its own.
const logger = createLogger({ service: 'infra', function: 'vacuum' });
const registry = createMetricsRegistry({ service: 'infra', function: 'vacuum' });
const chores = counter(
  registry,
  'atlas_vacuum_chores_total',
  'Tables vacuumed or analyzed by the local vacuum keeper (done, or skipped: locked elsewhere or past its limit)',
  ['database', 'kind', 'outcome'],
);
const failures = counter(
  registry,
  'atlas_vacuum_failures_total',
  'Passes over a database that failed (the next pass tries again)',
  ['database'],
);

const every = integerSetting(process.env, 'ATLAS_VACUUM_INTERVAL_MS', {
  fallback: 10_000,
  min: 100,
  max: 3_600_000,
});
// The local runner gives each process its port in PORT (ATLAS_VACUUM_PORT chooses it).
const port = integerSetting(process.env, 'PORT', { fallback: 8098, min: 1, max: 65_535 });
const config = loadStackConfig();
const databases = serviceNames.map((service) => ({
  service,
  sql: createSql(config.postgres.databaseUrl(service), { applicationName: 'atlas-vacuum', max: 1 }),
}));

let serverVacuums: boolean | undefined;
async function pass(): Promise<void> {
  for (const { service, sql } of databases) {
    try {
      const on = await serverAutovacuumOn(sql);
      if (on !== serverVacuums)
        logger.info(
          { autovacuum: on ? 'on' : 'off' },
          on ? 'the server vacuums: nothing to do' : 'the server does not vacuum: standing in',
        );
      serverVacuums = on;
      if (on) return;
      for (const chore of await vacuumPass(sql, logger.child({ database: service })))
        chores.inc({
          database: service,
          kind: chore.vacuum ? 'vacuum' : 'analyze',
          outcome: chore.outcome,
        });
    } catch (error) {
      // Housekeeping: a database that is down (a drill) or busy is tried again next pass.
      failures.inc({ database: service });
      logger.warn({ err: error, database: service, outcome: 'failed' }, 'vacuum pass failed');
    }
  }
}

let timer: NodeJS.Timeout | undefined;
let stopping = false;
async function loop(): Promise<void> {
  await pass();
  if (!stopping) timer = setTimeout(() => void loop(), every);
}

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method === 'GET' && (path === '/health' || path === '/ready')) {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  } else if (request.method === 'GET' && path === '/metrics') {
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  } else {
    response.writeHead(404).end();
  }
});
server.listen(port, '127.0.0.1', () => {
  logger.info({ port, intervalMs: every }, 'keeping the service databases vacuumed');
  void loop();
});

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  clearTimeout(timer);
  server.close();
  await Promise.allSettled(databases.map(({ sql }) => sql.end({ timeout: 5 })));
  process.exitCode = 0;
}
process.once('SIGTERM', (signal) => void shutdown(signal));
process.once('SIGINT', (signal) => void shutdown(signal));
