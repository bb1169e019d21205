import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { z } from 'zod';
import { createTokenVerifier, tokenVerifierOptionsFrom } from '@atlas/auth';
import { loadStackConfig } from '@atlas/config';
import { authenticate, httpFunction, idempotency, json, serve, type Route } from '@atlas/http';
import { createIdempotencyStore, createRedisClient } from '@atlas/idempotency';
import { createLogger, createMetricsRegistry } from '@atlas/observability';

/**
 * The server half of `npm run bench:http`, forked by http.ts so the load generator never shares
 * this event loop (on 2 cores an in-process autocannon would bill its own work to our latency).
 * One `serve()` holds both routes, so framework, shim and route matching cost the same for both.
 */
export type ServerMessage =
  | { readonly kind: 'ready'; readonly url: string; readonly bare: string; readonly full: string }
  | { readonly kind: 'stopped'; readonly idempotencyKeys: number };

const BARE_ROUTE = '/v1/bench/bare';
const FULL_ROUTE = '/v1/bench/full';

function send(message: ServerMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const keyPrefix = `atlas:bench:${randomUUID()}`;
  // Async like pino's default stdout stream, but to /dev/null: the serialisation cost stays real.
  const destination = pino.destination({ dest: '/dev/null', sync: false });
  const logger = createLogger({
    service: 'bench',
    function: 'http-bench',
    level: 'info',
    destination,
  });
  const registry = createMetricsRegistry({ service: 'bench', function: 'http-bench' });
  const redis = await createRedisClient(loadStackConfig().redis.url);
  const store = createIdempotencyStore({ redis, keyPrefix });
  const verifier = createTokenVerifier(tokenVerifierOptionsFrom());

  const full = httpFunction(
    {
      name: 'bench-full',
      method: 'POST',
      route: FULL_ROUTE,
      schemas: {
        body: z.strictObject({ sku: z.string().min(1).max(64), quantity: z.int().min(1) }),
      },
      authenticate: authenticate(verifier, 'orders:write'),
      idempotency: idempotency(store, `POST ${FULL_ROUTE}`),
      handler: async ({ body }) =>
        json(202, { widgetId: randomUUID(), sku: body.sku, quantity: body.quantity }),
    },
    { logger, registry },
  );
  const bare: Route = {
    method: 'POST',
    route: BARE_ROUTE,
    handle: async () => json(202, { widgetId: randomUUID(), sku: 'bench', quantity: 1 }),
  };
  const running = await serve({
    name: 'bench-http',
    routes: [bare, { method: 'POST', route: FULL_ROUTE, handle: full }],
    logger,
    registry,
  });

  process.on('message', (message) => {
    if (message !== 'stop') return;
    void (async () => {
      await running.close();
      let idempotencyKeys = 0;
      // SCAN, not KEYS: a benchmark must not block a Redis other work shares.
      for await (const keys of redis.scanStream({ match: `${keyPrefix}:*`, count: 1000 })) {
        const batch = keys as string[];
        if (batch.length === 0) continue;
        idempotencyKeys += batch.length;
        await redis.unlink(...batch);
      }
      redis.disconnect();
      destination.flushSync();
      send({ kind: 'stopped', idempotencyKeys });
      process.disconnect();
    })();
  });
  send({ kind: 'ready', url: running.url, bare: BARE_ROUTE, full: FULL_ROUTE });
}

await main();
