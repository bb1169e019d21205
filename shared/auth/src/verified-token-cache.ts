import type { Principal } from './principal.ts';

export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered; the least recently verified one goes first. Default 1000. */
  readonly maxEntries?: number;
  /**
   * Longest a verification is reused, in ms. Default 60 s. Bounds how long a token keeps working
   * after its signing key was withdrawn from the realm's JWKS.
   */
  readonly maxAgeMs?: number;
  /** The clock, in ms since the epoch (tests). */
  readonly now?: () => number;
}

export interface VerifiedTokenCache {
  get(token: string): Principal | undefined;
  /** Remembers a principal verified from `token`, which expires at `expiresAtSec` (its `exp`). */
  set(token: string, principal: Principal, expiresAtSec: number): void;
}

/**
 * Remembers principals of tokens that passed full verification, so a client sending the same
 * token with every request pays the RS256 check once per minute instead of every time (~0.6 ms
 * of the request). Only the exact token string hits; a token is never served past its own `exp`
 * (no clock tolerance here) nor past `maxAgeMs`; failures are never cached.
 */
export function createVerifiedTokenCache(
  options: VerifiedTokenCacheOptions = {},
): VerifiedTokenCache {
  const maxEntries = options.maxEntries ?? 1000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { principal: Principal; validUntilMs: number }>();

  return {
    get(token) {
      const entry = entries.get(token);
      if (entry === undefined) return undefined;
      if (now() >= entry.validUntilMs) {
        entries.delete(token);
        return undefined;
      }
      return entry.principal;
    },
    set(token, principal, expiresAtSec) {
      const validUntilMs = Math.min(expiresAtSec * 1000, now() + maxAgeMs);
      if (validUntilMs <= now()) return;
      entries.delete(token);
      entries.set(token, { principal, validUntilMs });
      // A Map iterates in insertion order, so the first key is the oldest verification.
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
    },
  };
}
