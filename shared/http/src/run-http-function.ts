import { createTokenVerifier, tokenVerifierOptionsFrom, type TokenVerifier } from '@atlas/auth';
import { loadStackConfig, type ServiceName } from '@atlas/config';
import { createSql, type Sql } from '@atlas/db';
import { EVENT_TOPICS } from '@atlas/events';
import {
  createIdempotencyStore,
  createRedisClient,
  type IdempotencyStore,
} from '@atlas/idempotency';
import type { Redis } from 'ioredis';
import {
  createLogger,
  createMetricsRegistry,
  type Logger,
  type Registry,
} from '@atlas/observability';
import { logAuditSink, type AuditSink } from './middleware/audit.ts';
import { forgetOldOutcomes, sqlCommandOutcomes, type CommandOutcomes } from './command-outcomes.ts';
import { outboxAuditSink } from './outbox-audit-sink.ts';

const OUTCOME_CLEANUP_INTERVAL_MS = 10 * 60 * 1000;
import type { Route } from './serve.ts';
import { serveFunctionProcess } from './serve-process.ts';

/** What every HTTP function's routes are built from; tests build the same routes with their own. */
export interface HttpRouteDependencies {
  readonly verifier: TokenVerifier;
  readonly idempotencyStore: IdempotencyStore;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Where httpFunction audits commands (ADR-0027); in-process tests may leave it out. */
  readonly audit?: AuditSink;
  /** Where commands store their answers with their effects (ADR-0033); functions with a database. */
  readonly outcomes?: CommandOutcomes;
}

export interface HttpFunctionOptions {
  readonly service: ServiceName;
  /** The function's name in the catalog (`set-stock`). */
  readonly name: string;
  /** The catalog's local port; `PORT` overrides it (in the cluster every function listens on 8080). */
  readonly port: number;
  /** Built once at start-up, given the service's database pool (`/ready` checks it, shutdown ends it). */
  readonly routes: (dependencies: HttpRouteDependencies, sql: Sql) => readonly Route[];
  /** Releases what the routes hold besides the pool and Redis (a client of their own, ...). */
  readonly onShutdown?: () => Promise<void>;
}

/** A function that owns no database (the ops functions read Kafka, not tables). */
export interface StatelessHttpFunctionOptions {
  readonly service: string;
  readonly name: string;
  readonly port: number;
  /** Built once at start-up; `redis` is the connection the idempotency store uses, for state of its own. */
  readonly routes: (dependencies: HttpRouteDependencies, redis: Redis) => readonly Route[];
  /** Extra `/ready` checks (the brokers it reads, ...) and what to release on shutdown. */
  readonly readiness?: Readonly<Record<string, () => Promise<void>>>;
  readonly onShutdown?: () => Promise<void>;
}

/**
 * An HTTP function as a deployable process: logger and metrics labelled with the function, JWT
 * verification, the Redis idempotency store, the service's database pool, the audit of its
 * commands in the service's outbox, `/health`, `/ready` (database and Redis) and `/metrics`. Closes the server, Redis and the database on SIGTERM or SIGINT.
 *
 * @example
 * await runHttpFunction({ service: 'inventory', name: 'get-item', port: 8121, routes: getItemRoutes });
 */
export async function runHttpFunction(options: HttpFunctionOptions): Promise<void> {
  const config = loadStackConfig();
  const sql = createSql(config.postgres.databaseUrl(options.service), {
    applicationName: `${options.service}-${options.name}`,
  });
  // Stored answers older than the contract's 24 h go; every replica may do it, deletes are idempotent.
  const forgetting = setInterval(() => {
    forgetOldOutcomes(sql).catch(() => undefined);
  }, OUTCOME_CLEANUP_INTERVAL_MS);
  forgetting.unref();
  await runStatelessHttpFunction({
    service: options.service,
    name: options.name,
    port: options.port,
    // Only the services with an event topic have an outbox relay; elsewhere staged rows would
    // never leave the database, so their commands are audited in the log (ADR-0027).
    routes: (dependencies) => {
      const durable = { ...dependencies, outcomes: sqlCommandOutcomes(sql) };
      return options.routes(
        Object.hasOwn(EVENT_TOPICS, options.service)
          ? { ...durable, audit: outboxAuditSink(sql, options.service) }
          : durable,
        sql,
      );
    },
    readiness: {
      database: async () => {
        await sql`select 1`;
      },
    },
    onShutdown: async () => {
      await options.onShutdown?.();
      await sql.end({ timeout: 5 });
    },
  });
}

/**
 * {@link runHttpFunction} without a database: JWT verification, the Redis idempotency store,
 * `/health`, `/ready` (Redis and the given checks), `/metrics`, graceful stop.
 */
export async function runStatelessHttpFunction(
  options: StatelessHttpFunctionOptions,
): Promise<void> {
  const config = loadStackConfig();
  const labels = { service: options.service, function: options.name };
  const logger = createLogger(labels);
  const registry = createMetricsRegistry(labels);
  const redis = await createRedisClient(config.redis.url, {
    onError: (error) => {
      logger.warn({ err: error }, 'redis connection error');
    },
  });
  const dependencies: HttpRouteDependencies = {
    verifier: createTokenVerifier(tokenVerifierOptionsFrom(config)),
    idempotencyStore: createIdempotencyStore({ redis }),
    logger,
    registry,
    audit: logAuditSink(logger),
  };
  await serveFunctionProcess({
    service: options.service,
    name: options.name,
    port: options.port,
    routes: options.routes(dependencies, redis),
    logger,
    registry,
    readiness: {
      ...options.readiness,
      redis: async () => {
        await redis.ping();
      },
    },
    onShutdown: async () => {
      await redis.quit();
      await options.onShutdown?.();
    },
  });
}
