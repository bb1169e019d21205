import { ValidationError } from '@atlas/errors';

/** The header that carries the key (contract, §3). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

// Contract §3: 1–255 visible ASCII characters (0x21–0x7E); no spaces, no controls, no non-ASCII.
const VALID_KEY = /^[\x21-\x7E]{1,255}$/;

/**
 * The `Idempotency-Key` of a command, checked. Missing, repeated or malformed → `ValidationError`
 * (400) with a violation at path `Idempotency-Key`.
 *
 * @example
 * const key = validateIdempotencyKey(request.headers['idempotency-key']);
 */
export function validateIdempotencyKey(raw: string | readonly string[] | undefined | null): string {
  if (raw === undefined || raw === null || raw === '') {
    throw violation('is required on every POST and PUT command');
  }
  // Two headers would let a proxy and the service disagree about which key counts.
  if (typeof raw !== 'string') throw violation('must be sent exactly once');
  if (!VALID_KEY.test(raw)) throw violation('must be 1-255 visible ASCII characters');
  return raw;
}

function violation(message: string): ValidationError {
  return new ValidationError(`${IDEMPOTENCY_KEY_HEADER} ${message}`, [
    { path: IDEMPOTENCY_KEY_HEADER, message },
  ]);
}
