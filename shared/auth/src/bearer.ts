import { UnauthorizedError } from '@atlas/errors';

// RFC 6750 §2.1: the scheme is case-insensitive, the token is b64token characters.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The token of an `Authorization: Bearer <token>` header. Missing or malformed → `UnauthorizedError`.
 *
 * @example
 * parseBearerToken('Bearer eyJhbGciOi...'); // 'eyJhbGciOi...'
 */
export function parseBearerToken(header: string | undefined | null): string {
  if (header === undefined || header === null || header.trim() === '') {
    throw new UnauthorizedError('Missing bearer token');
  }
  const match = BEARER.exec(header.trim());
  if (match?.[1] === undefined) {
    throw new UnauthorizedError('Malformed Authorization header');
  }
  return match[1];
}
