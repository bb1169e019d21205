import { describe, expect, it } from '@jest/globals';
import { permissionsOf } from './permissions.ts';
import type { Principal } from './principal.ts';
import { createVerifiedTokenCache } from './verified-token-cache.ts';

const principal: Principal = {
  subject: 's',
  username: 'u',
  roles: ['Viewer'],
  permissions: permissionsOf(['Viewer']),
};

function clock(startMs = 1_000_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}

describe('the verified-token cache', () => {
  it('serves a verified token again until the maximum age', () => {
    const time = clock();
    const cache = createVerifiedTokenCache({ now: time.now, maxAgeMs: 60_000 });
    cache.set('t', principal, time.now() / 1000 + 300);
    time.advance(59_999);
    expect(cache.get('t')).toBe(principal);
    time.advance(1);
    expect(cache.get('t')).toBeUndefined();
  });

  it('never serves a token past its own expiry', () => {
    const time = clock();
    const cache = createVerifiedTokenCache({ now: time.now });
    cache.set('t', principal, time.now() / 1000 + 10);
    time.advance(10_000);
    expect(cache.get('t')).toBeUndefined();
  });

  it('does not remember a token that has already expired', () => {
    const time = clock();
    const cache = createVerifiedTokenCache({ now: time.now });
    cache.set('t', principal, time.now() / 1000 - 1);
    expect(cache.get('t')).toBeUndefined();
  });

  it('forgets the oldest verification when full', () => {
    const time = clock();
    const cache = createVerifiedTokenCache({ now: time.now, maxEntries: 2 });
    const exp = time.now() / 1000 + 300;
    cache.set('a', principal, exp);
    cache.set('b', principal, exp);
    cache.set('c', principal, exp);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(principal);
    expect(cache.get('c')).toBe(principal);
  });

  it('matches only the exact token string', () => {
    const time = clock();
    const cache = createVerifiedTokenCache({ now: time.now });
    cache.set('token', principal, time.now() / 1000 + 300);
    expect(cache.get('token ')).toBeUndefined();
    expect(cache.get('Token')).toBeUndefined();
  });
});
