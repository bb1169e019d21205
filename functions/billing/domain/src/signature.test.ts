import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { SIGNATURE_TOLERANCE_SECONDS, signatureHeader, verifySignature } from './signature.ts';

const secret = 'a-test-secret-of-at-least-32-characters!';
const body = Buffer.from('{"callbackId":"cb_1","type":"succeeded"}');
// A fake clock: every case states the time it is checked at.
const signedAt = new Date('2026-11-28T10:00:00.000Z');
const seconds = (offset: number) => new Date(signedAt.getTime() + offset * 1000);
const header = signatureHeader(secret, body, signedAt);
const verify = (options: { header?: string | undefined; rawBody?: Buffer; now?: Date }) =>
  verifySignature({
    secret,
    header: 'header' in options ? options.header : header,
    rawBody: options.rawBody ?? body,
    now: options.now ?? signedAt,
  });

describe('the payment callback signature', () => {
  it('is HMAC-SHA256 in hex over the unix seconds, a dot and the raw body', () => {
    const expected = createHmac('sha256', secret)
      .update(`1795860000.${body.toString()}`)
      .digest('hex');
    expect(header).toBe(`t=1795860000,v1=${expected}`);
  });

  it('accepts the signature it made', () => {
    expect(verify({})).toEqual({ valid: true });
  });

  it.each([
    ['five minutes late', SIGNATURE_TOLERANCE_SECONDS],
    ['five minutes early', -SIGNATURE_TOLERANCE_SECONDS],
  ])('accepts a signature checked %s', (_case, offset) => {
    expect(verify({ now: seconds(offset) })).toEqual({ valid: true });
  });

  it.each([
    ['more than five minutes after it was made', SIGNATURE_TOLERANCE_SECONDS + 1],
    ['more than five minutes before it was made', -SIGNATURE_TOLERANCE_SECONDS - 1],
  ])('refuses as stale a signature checked %s', (_case, offset) => {
    expect(verify({ now: seconds(offset) })).toEqual({ valid: false, reason: 'stale' });
  });

  it('refuses a body changed by one byte', () => {
    const tampered = Buffer.from(body.toString().replace('cb_1', 'cb_2'));
    expect(verify({ rawBody: tampered })).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('refuses a signature made with another secret', () => {
    const other = signatureHeader('another-secret-of-at-least-32-characters', body, signedAt);
    expect(verify({ header: other })).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('refuses a signature whose timestamp was changed to look fresh', () => {
    const [, v1] = header.split(',');
    const moved = `t=${Math.floor(seconds(60).getTime() / 1000)},${v1 ?? ''}`;
    expect(verify({ header: moved, now: seconds(60) })).toEqual({
      valid: false,
      reason: 'mismatch',
    });
  });

  it('accepts any one matching v1 among several, in any case, and ignores other schemes', () => {
    const [t, v1] = header.split(',');
    const hex = (v1 ?? '').slice('v1='.length);
    const several = `${t ?? ''}, v0=abc, v1=${'0'.repeat(64)}, v1=${hex.toUpperCase()}`;
    expect(verify({ header: several })).toEqual({ valid: true });
  });

  it.each([
    ['an absent header', undefined, 'missing'],
    ['an empty header', '  ', 'missing'],
    ['a header without a timestamp', `v1=${'a'.repeat(64)}`, 'malformed'],
    ['a header without a v1 signature', 't=1795860000', 'malformed'],
    ['a timestamp that is not a number', `t=soon,v1=${'a'.repeat(64)}`, 'malformed'],
    ['two timestamps', `t=1795860000,t=1795860000,v1=${'a'.repeat(64)}`, 'malformed'],
    ['a part without "="', `t=1795860000,v1`, 'malformed'],
    ['a v1 that is not 64 hex digits', 't=1795860000,v1=xyz', 'mismatch'],
  ])('refuses %s', (_case, value, reason) => {
    expect(verify({ header: value })).toEqual({ valid: false, reason });
  });
});
