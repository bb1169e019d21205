import { DependencyUnavailableError } from '@atlas/errors';
import type { RedisOptions } from 'ioredis';
import { Redis } from 'ioredis';

/**
 * The ioredis options the idempotency store relies on; set them on any client you pass in.
 * The store must fail fast and closed: a command queued while Redis is away could run after
 * the request already gave up, and a request that cannot record its key must not run at all.
 */
export const IDEMPOTENCY_REDIS_OPTIONS = {
  // Disconnected → the command fails at once instead of waiting in a queue for a reconnect.
  enableOfflineQueue: false,
  // One resend of an unanswered command after a reconnect. Safe: every store command is
  // idempotent (SET NX, and owner-checked scripts), so a resend can never run a handler twice.
  maxRetriesPerRequest: 1,
  // A hung Redis (paused, partitioned) fails the command after 2 s instead of never.
  commandTimeout: 2_000,
  connectTimeout: 2_000,
} as const satisfies RedisOptions;

export interface RedisClientOptions {
  /** Connection-level errors (reconnect chatter). Command failures surface as `DependencyUnavailableError` anyway. */
  readonly onError?: (error: Error) => void;
}

/**
 * A connected ioredis client configured with `IDEMPOTENCY_REDIS_OPTIONS`. Waits for the
 * connection because, without an offline queue, a command sent before it is up would fail.
 * Rejects with `DependencyUnavailableError` when Redis cannot be reached.
 *
 * @example
 * const redis = await createRedisClient(loadStackConfig().redis.url);
 */
export async function createRedisClient(
  url: string,
  options: RedisClientOptions = {},
): Promise<Redis> {
  const client = new Redis(url, { ...IDEMPOTENCY_REDIS_OPTIONS, lazyConnect: true });
  // Without a listener ioredis prints every reconnect attempt to stderr.
  client.on('error', options.onError ?? (() => undefined));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new DependencyUnavailableError('Redis is unreachable', { cause: error });
  }
  return client;
}
