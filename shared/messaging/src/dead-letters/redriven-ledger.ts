import type { Redis } from 'ioredis';
import { DEAD_LETTER_RETENTION_MS } from '@atlas/catalog';

/**
 * Which dead letters were delivered again successfully. A redrive skips them, so redriving the
 * same selection twice delivers nothing the second time (the consumers' inboxes would absorb it
 * anyway; the ledger makes it visible and spares the work). Entries live as long as dead letters.
 */
export interface RedrivenLedger {
  redriven(ids: readonly string[]): Promise<Set<string>>;
  markRedriven(id: string): Promise<void>;
}

export function redisRedrivenLedger(
  redis: Redis,
  keyPrefix = 'atlas:ops:redriven',
): RedrivenLedger {
  const key = (id: string): string => `${keyPrefix}:${id}`;
  return {
    async redriven(ids) {
      if (ids.length === 0) return new Set();
      const found = await redis.mget(ids.map(key));
      return new Set(ids.filter((_, index) => found[index] !== null));
    },
    async markRedriven(id) {
      await redis.set(key(id), new Date().toISOString(), 'PX', DEAD_LETTER_RETENTION_MS);
    },
  };
}
