import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a payment callback is signed in: `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`. */
export const SIGNATURE_HEADER = 'atlas-signature';

/** How far the signed timestamp may be from now, either way (contract §3: stale after 5 min). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const TIMESTAMP = /^\d{1,12}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

function hmacOf(secret: string, timestamp: string, rawBody: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/**
 * The `Atlas-Signature` value for `rawBody` at `now`: HMAC-SHA256 (hex) of `<t>.<raw body>`.
 *
 * @example
 * signatureHeader(secret, Buffer.from('{"callbackId":"cb_1"}'), new Date());
 * // 't=1795000000,v1=5f0c…'
 */
export function signatureHeader(secret: string, rawBody: Buffer, now: Date): string {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return `t=${timestamp},v1=${hmacOf(secret, timestamp, rawBody).toString('hex')}`;
}

export type SignatureVerdict =
  | { readonly valid: true }
  | { readonly valid: false; readonly reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

/**
 * Checks a callback's `Atlas-Signature` against the raw body bytes, before anything parses them.
 * Several `v1` values are accepted (a provider rotating its secret sends one per secret); unknown
 * schemes are ignored. Signatures are compared in constant time.
 */
export function verifySignature(options: {
  readonly secret: string;
  readonly header: string | undefined;
  readonly rawBody: Buffer;
  readonly now: Date;
  readonly toleranceSeconds?: number;
}): SignatureVerdict {
  if (options.header === undefined || options.header.trim() === '') {
    return { valid: false, reason: 'missing' };
  }
  let timestamp: string | undefined;
  const candidates: string[] = [];
  for (const part of options.header.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 0) return { valid: false, reason: 'malformed' };
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined) return { valid: false, reason: 'malformed' };
      timestamp = value;
    } else if (key === 'v1') {
      candidates.push(value.toLowerCase());
    }
  }
  if (timestamp === undefined || !TIMESTAMP.test(timestamp) || candidates.length === 0) {
    return { valid: false, reason: 'malformed' };
  }
  const tolerance = options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  const age = Math.floor(options.now.getTime() / 1000) - Number(timestamp);
  if (Math.abs(age) > tolerance) return { valid: false, reason: 'stale' };

  const expected = hmacOf(options.secret, timestamp, options.rawBody);
  const matches = candidates.some(
    (candidate) =>
      HEX_SHA256.test(candidate) && timingSafeEqual(Buffer.from(candidate, 'hex'), expected),
  );
  return matches ? { valid: true } : { valid: false, reason: 'mismatch' };
}
