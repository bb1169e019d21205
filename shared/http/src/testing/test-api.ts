import { sqlCommandOutcomes } from '../command-outcomes.ts';
import { randomUUID } from 'node:crypto';
import { createTokenVerifier, tokenVerifierOptionsFrom } from '@atlas/auth';
import { bearerFor, type DemoUser } from '@atlas/auth/testing';
import { loadStackConfig, type ServiceName } from '@atlas/config';
import { migrationSetsOf, type Sql } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { createIdempotencyStore, createRedisClient } from '@atlas/idempotency';
import { removeKeys } from '@atlas/idempotency/testing';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import type { AuditSink } from '../middleware/audit.ts';
import type { HttpRouteDependencies } from '../run-http-function.ts';
import { serve, type Route } from '../serve.ts';

interface TestApiBaseOptions {
  /** The in-process function's name, in its logs and metrics labels. */
  readonly name: string;
  /** The demo users whose real Keycloak tokens `call` and `tokenOf` use. */
  readonly users?: readonly DemoUser[];
}

/** An API over a throwaway database migrated with `service`'s migrations. */
export interface ServiceTestApiOptions extends TestApiBaseOptions {
  readonly service: ServiceName;
  /** Builds the routes as the functions' main.ts build them, from the test's dependencies. */
  readonly routes: (dependencies: HttpRouteDependencies, sql: Sql) => readonly Route[];
  /** Where commands are audited (`(sql) => outboxAuditSink(sql, 'workflow')`); none if left out. */
  readonly audit?: (sql: Sql) => AuditSink;
}

/** An API that owns no database (the ops functions read Kafka, not tables). */
export interface StatelessTestApiOptions extends TestApiBaseOptions {
  readonly service?: undefined;
  readonly routes: (dependencies: HttpRouteDependencies) => readonly Route[];
}

export interface CallOptions {
  /** Whose token goes in `Authorization` (one of the API's `users`); no header without one. */
  readonly user?: string;
  /** Sent as JSON, with `Content-Type: application/json`. */
  readonly body?: unknown;
  /** Sent byte for byte as JSON instead of `body`: for signatures over the exact bytes. */
  readonly rawBody?: string;
  readonly key?: string;
  readonly correlationId?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Routes served in-process, called with the API's users' tokens. */
export interface ServedRoutes {
  readonly url: string;
  /** Requests `path` with the options as headers; `Content-Type` only when there is a body. */
  call(method: string, path: string, options?: CallOptions): Promise<Response>;
  close(): Promise<void>;
}

export interface TestApi extends ServedRoutes {
  /** What the routes were built from: more routes can share its idempotency store and verifier. */
  readonly dependencies: HttpRouteDependencies;
  /** `Bearer <token>` of one of `users`; throws for anyone else, so a typo cannot pass as a 401. */
  tokenOf(user: string): string;
  /** Serves more routes beside these, closed with the API unless closed before. */
  serveAlso(name: string, routes: readonly Route[]): Promise<ServedRoutes>;
  /** Closes every server, removes the test's idempotency keys, drops the database. */
  close(): Promise<void>;
}

export interface ServiceTestApi extends TestApi {
  readonly database: TestDatabase;
  readonly sql: Sql;
}

/**
 * A function's routes served in-process as its main.ts builds them, against real Redis (keys
 * under a prefix of their own), real Keycloak tokens and, for a service, a fresh database.
 *
 * @example
 * let api: ServiceTestApi;
 * beforeAll(async () => {
 *   api = await startTestApi({
 *     name: 'order-api-test',
 *     service: 'order',
 *     routes: (dependencies, sql) => placeOrderRoutes(dependencies, sql),
 *     users: ['ops', 'viewer'],
 *   });
 * });
 * afterAll(() => api.close());
 * it('places an order', async () => {
 *   const response = await api.call('POST', '/v1/orders', { user: 'ops', body, key: randomUUID() });
 *   expect(response.status).toBe(202);
 * });
 */
export async function startTestApi(options: ServiceTestApiOptions): Promise<ServiceTestApi>;
export async function startTestApi(options: StatelessTestApiOptions): Promise<TestApi>;
export async function startTestApi(
  options: ServiceTestApiOptions | StatelessTestApiOptions,
): Promise<TestApi> {
  const releases: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const release of releases.splice(0).reverse()) await release();
  };
  try {
    let database: TestDatabase | undefined;
    let buildRoutes: (dependencies: HttpRouteDependencies) => readonly Route[];
    let audit: AuditSink | undefined;
    if (options.service === undefined) {
      buildRoutes = options.routes;
    } else {
      const created = await createTestDatabase(migrationSetsOf(options.service));
      releases.push(() => created.drop());
      const { routes } = options;
      buildRoutes = (dependencies) =>
        routes({ ...dependencies, outcomes: sqlCommandOutcomes(created.sql) }, created.sql);
      audit = options.audit?.(created.sql);
      database = created;
    }
    const redis = await createRedisClient(loadStackConfig().redis.url);
    const keyPrefix = `atlas:test:${randomUUID()}`;
    releases.push(async () => {
      await removeKeys(redis, keyPrefix);
      redis.disconnect();
    });
    const labels = { service: options.service ?? 'stateless', function: options.name };
    const dependencies: HttpRouteDependencies = {
      verifier: createTokenVerifier(tokenVerifierOptionsFrom()),
      idempotencyStore: createIdempotencyStore({ redis, keyPrefix }),
      logger: createLogger({ ...labels, level: 'silent' }),
      registry: createMetricsRegistry(labels),
      ...(audit === undefined ? {} : { audit }),
    };
    const tokens = new Map<string, string>();
    const tokenOf = (user: string): string => {
      const token = tokens.get(user);
      if (token === undefined) throw new Error(`No token for ${user}: list them in users.`);
      return token;
    };
    const serveAlso = async (name: string, routes: readonly Route[]): Promise<ServedRoutes> => {
      const running = await serve({
        name,
        routes,
        logger: dependencies.logger,
        registry: dependencies.registry,
      });
      const closeOnce = onlyOnce(() => running.close());
      releases.push(closeOnce);
      return {
        url: running.url,
        call: async (method, path, callOptions = {}) =>
          fetch(`${running.url}${path}`, { method, ...requestOf(callOptions, tokenOf) }),
        close: closeOnce,
      };
    };
    const served = await serveAlso(options.name, buildRoutes(dependencies));
    // Keycloak hashes each password anew: on a loaded machine five logins in a row took most of a
    // hook's 30 s, so they go together.
    const users = options.users ?? [];
    const bearers = await Promise.all(users.map((user) => bearerFor(user)));
    users.forEach((user, index) => tokens.set(user, bearers[index] ?? ''));
    const api: TestApi = { ...served, dependencies, tokenOf, serveAlso, close };
    if (database === undefined) return api;
    const serviceApi: ServiceTestApi = { ...api, database, sql: database.sql };
    return serviceApi;
  } catch (error) {
    await close();
    throw error;
  }
}

function requestOf(
  options: CallOptions,
  tokenOf: (user: string) => string,
): { headers: Record<string, string>; body?: string } {
  const body =
    options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(options.user === undefined ? {} : { authorization: tokenOf(options.user) }),
    ...(options.key === undefined ? {} : { 'idempotency-key': options.key }),
    ...(options.correlationId === undefined ? {} : { 'x-correlation-id': options.correlationId }),
    ...options.headers,
  };
  return body === undefined ? { headers } : { headers, body };
}

/** A close that an early caller and the API's own close may both call. */
function onlyOnce(action: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= action());
}
