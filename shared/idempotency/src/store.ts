import { randomUUID } from 'node:crypto';
import {
  DependencyUnavailableError,
  IdempotencyInFlightError,
  IdempotencyKeyReusedError,
} from '@atlas/errors';
import { validateIdempotencyKey } from './idempotency-key.ts';
import type { StoredResponse } from './records.ts';
import { parseRecord, serialiseRecord } from './records.ts';

/**
 * The few Redis commands the store needs; a connected ioredis `Redis` satisfies it. Configure
 * the client with `IDEMPOTENCY_REDIS_OPTIONS` (or use `createRedisClient`) so calls fail fast.
 */
export interface IdempotencyRedis {
  set(
    key: string,
    value: string,
    px: 'PX',
    ms: number,
    nx: 'NX',
    get: 'GET',
  ): Promise<string | null>;
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export interface IdempotencyStoreOptions {
  readonly redis: IdempotencyRedis;
  /** Defaults to `atlas:idem`. */
  readonly keyPrefix?: string;
  /** How long a completed response is replayed. Defaults to 86 400 (24 h, contract §3). */
  readonly ttlSeconds?: number;
  /**
   * How long an unfinished request holds its key if its process dies before `complete`/`abandon`.
   * Must exceed the handler's timeout, or a slow first request loses its key to a retry. Defaults to 60.
   */
  readonly inFlightTtlSeconds?: number;
}

export interface BeginRequest {
  /** The user's subject: keys are scoped per user, so two users never see each other's keys. */
  readonly scope: string;
  /** The command, e.g. `POST /v1/orders` or the function name: the same key on another route is another key. */
  readonly route: string;
  /** The raw `Idempotency-Key`; validated again here. */
  readonly key: string;
  /** `fingerprintRequest(...)` of the request. */
  readonly fingerprint: string;
}

/** This request owns the key: run the command, then `complete` it, or `abandon` it if the command failed. */
export interface NewExecution {
  readonly kind: 'new';
  /** Stores the response for 24 h. `false` when the key was no longer ours (in-flight TTL passed). */
  complete(response: StoredResponse): Promise<boolean>;
  /** Frees the key so the client can retry. `false` when it was no longer ours. */
  abandon(): Promise<boolean>;
}

/** The same request ran before: answer with this (the adapter adds `Idempotent-Replayed: true`). */
export interface Replay {
  readonly kind: 'replay';
  readonly response: StoredResponse;
}

export type BeginResult = NewExecution | Replay;

export interface IdempotencyStore {
  /**
   * Claims the key or tells why not. Throws `IdempotencyInFlightError` (409),
   * `IdempotencyKeyReusedError` (422), `ValidationError` (400) or `DependencyUnavailableError` (503).
   */
  begin(request: BeginRequest): Promise<BeginResult>;
}

// Replace the record only while it is still exactly the IN_PROGRESS value we wrote (our owner token).
const COMPLETE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0`;

const DELETE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * Idempotency-Key handling of contract §3 as a state machine in Redis:
 * no record → IN_PROGRESS (SET NX, short TTL) → COMPLETED (stored response, 24 h) or back to no
 * record when the command failed. Redis failures fail closed (503): the command does not run.
 *
 * @example
 * const store = createIdempotencyStore({ redis: await createRedisClient(url) });
 * const claim = await store.begin({ scope: principal.subject, route: 'POST /v1/orders', key, fingerprint });
 * if (claim.kind === 'replay') return claim.response;
 * try { const response = await handle(); await claim.complete(response); return response; }
 * catch (error) { await claim.abandon(); throw error; }
 */
export function createIdempotencyStore(options: IdempotencyStoreOptions): IdempotencyStore {
  const { redis, keyPrefix = 'atlas:idem', ttlSeconds = 86_400, inFlightTtlSeconds = 60 } = options;
  // Bad configuration fails at cold start, not on the first request.
  for (const [name, value] of [
    ['ttlSeconds', ttlSeconds],
    ['inFlightTtlSeconds', inFlightTtlSeconds],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`${name} must be a positive integer`);
  }

  async function call<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new DependencyUnavailableError(`Idempotency store unavailable (${what})`, {
        cause: error,
      });
    }
  }

  async function begin(request: BeginRequest): Promise<BeginResult> {
    const key = validateIdempotencyKey(request.key);
    if (request.scope === '' || request.route === '')
      throw new TypeError('scope and route must not be empty');
    // Scope and route are encoded so a ':' inside them cannot make two different triples collide.
    const redisKey = `${keyPrefix}:${encodeURIComponent(request.scope)}:${encodeURIComponent(request.route)}:${key}`;
    const inProgress = serialiseRecord({
      state: 'IN_PROGRESS',
      fingerprint: request.fingerprint,
      owner: randomUUID(),
    });

    // One atomic command: claim the key if free, otherwise read what holds it.
    const existing = await call('claim', () =>
      redis.set(redisKey, inProgress, 'PX', inFlightTtlSeconds * 1000, 'NX', 'GET'),
    );

    // No record: first time we see this key (or it expired or was abandoned) — we own it now.
    if (existing === null) return newExecution(redisKey, inProgress, request.fingerprint);

    const record = parseRecord(existing);
    // Another body under the same key is a client bug, whether or not the first is finished.
    if (record.fingerprint !== request.fingerprint) {
      throw new IdempotencyKeyReusedError('This Idempotency-Key was used for a different request');
    }
    // Same request still running: running it again is exactly what the key exists to prevent.
    if (record.state === 'IN_PROGRESS') {
      throw new IdempotencyInFlightError(
        'A request with this Idempotency-Key is still in progress',
      );
    }
    // Same request already done: give back the first response, byte for byte.
    return { kind: 'replay', response: record.response };
  }

  function newExecution(redisKey: string, inProgress: string, fingerprint: string): NewExecution {
    return {
      kind: 'new',
      complete: async (response) => {
        const completed = serialiseRecord({ state: 'COMPLETED', fingerprint, response });
        const stored = await call('complete', () =>
          redis.eval(COMPLETE_IF_OWNER, 1, redisKey, inProgress, completed, ttlSeconds * 1000),
        );
        return stored === 1;
      },
      abandon: async () => {
        const deleted = await call('abandon', () =>
          redis.eval(DELETE_IF_OWNER, 1, redisKey, inProgress),
        );
        return deleted === 1;
      },
    };
  }

  return { begin };
}
