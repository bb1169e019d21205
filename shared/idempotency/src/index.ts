export { canonicalJson, fingerprintRequest } from './fingerprint.ts';
export type { RequestToFingerprint } from './fingerprint.ts';
export { IDEMPOTENCY_KEY_HEADER, validateIdempotencyKey } from './idempotency-key.ts';
export type { StoredResponse } from './records.ts';
export { IDEMPOTENCY_REDIS_OPTIONS, createRedisClient } from './redis-client.ts';
export type { RedisClientOptions } from './redis-client.ts';
export { createIdempotencyStore } from './store.ts';
export type {
  BeginRequest,
  BeginResult,
  IdempotencyRedis,
  IdempotencyStore,
  IdempotencyStoreOptions,
  NewExecution,
  Replay,
} from './store.ts';
