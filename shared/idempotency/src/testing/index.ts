import type { Redis } from 'ioredis';

/**
 * Deletes a test's keys from the machine's Redis, which is shared: tests use a unique prefix and
 * remove exactly their keys, never FLUSHDB.
 */
export async function removeKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}
