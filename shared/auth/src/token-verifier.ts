import type { StackConfig } from '@atlas/config';
import { loadStackConfig } from '@atlas/config';
import { DependencyUnavailableError, UnauthorizedError } from '@atlas/errors';
import type { JWTPayload } from 'jose';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { parseBearerToken } from './bearer.ts';
import { permissionsOf } from './permissions.ts';
import type { Principal } from './principal.ts';
import {
  createVerifiedTokenCache,
  type VerifiedTokenCacheOptions,
} from './verified-token-cache.ts';

export interface TokenVerifierOptions {
  /** Expected `iss`, e.g. `http://127.0.0.1:8180/realms/atlas-erp`. */
  readonly issuer: string;
  /** Our client id (`atlas-gateway`): must be in `aud` or be the `azp`. */
  readonly audience: string;
  /** Defaults to Keycloak's `${issuer}/protocol/openid-connect/certs`. */
  readonly jwksUrl?: string;
  /** Allowed clock skew for `exp`/`nbf`/`iat`, in seconds. Defaults to 5. */
  readonly clockToleranceSec?: number;
  /** Reuse of successful verifications (ADR-0029); `false` verifies every request in full. */
  readonly cache?: VerifiedTokenCacheOptions | false;
}

export interface TokenVerifier {
  /** Verifies a compact JWS access token. Rejects with `UnauthorizedError`, or `DependencyUnavailableError` when the JWKS cannot be fetched. */
  verify(token: string): Promise<Principal>;
  /** Parses `Bearer <token>` then verifies it; a missing or malformed header is a 401 as well. */
  verifyAuthorizationHeader(header: string | undefined | null): Promise<Principal>;
}

/** The verifier options of the local stack (Keycloak issuer and client id from the environment). */
export function tokenVerifierOptionsFrom(
  config: StackConfig = loadStackConfig(),
): TokenVerifierOptions {
  return {
    issuer: config.keycloak.issuer,
    audience: config.keycloak.clientId,
    jwksUrl: `${config.keycloak.realmUrl}/protocol/openid-connect/certs`,
  };
}

/**
 * Builds a verifier for Keycloak access tokens. Create it once per process (cold start): the key
 * set is cached and shared by every request.
 *
 * @example
 * const verifier = createTokenVerifier(tokenVerifierOptionsFrom());
 * const principal = await verifier.verifyAuthorizationHeader(request.headers.authorization);
 * requirePermission(principal, 'orders:write');
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const jwksUrl = new URL(options.jwksUrl ?? `${options.issuer}/protocol/openid-connect/certs`);
  const keys = createRemoteJWKSet(jwksUrl, {
    // An unknown kid (Keycloak rotated its key) refetches at most every 30 s, so a flood of
    // forged kids cannot turn us into a load generator against Keycloak.
    cooldownDuration: 30_000,
    cacheMaxAge: 10 * 60_000,
    timeoutDuration: 5_000,
  });
  const clockTolerance = options.clockToleranceSec ?? 5;
  const cache = options.cache === false ? undefined : createVerifiedTokenCache(options.cache);

  async function verify(token: string): Promise<Principal> {
    const remembered = cache?.get(token);
    if (remembered !== undefined) return remembered;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        // Pinned: never let the token choose. Blocks `alg: none` and the HS256 confusion where a
        // token is "signed" with our public RSA key used as an HMAC secret.
        algorithms: ['RS256'],
        requiredClaims: ['exp', 'sub'],
        clockTolerance,
      }));
    } catch (error) {
      throw toVerificationError(error);
    }
    checkAudience(payload, options.audience);
    const principal = principalOf(payload);
    // requiredClaims guarantees exp.
    cache?.set(token, principal, payload.exp ?? 0);
    return principal;
  }

  return {
    verify,
    verifyAuthorizationHeader: async (header) => verify(parseBearerToken(header)),
  };
}

function toVerificationError(error: unknown): Error {
  // Keycloak unreachable is our outage, not a bad token: a 401 would send a valid user to log in again.
  if (isKeySetUnavailable(error)) {
    return new DependencyUnavailableError('Cannot fetch the identity provider keys', {
      cause: error,
    });
  }
  // Vague on purpose; the precise reason (expired, bad signature, wrong issuer…) is in `cause` for the log.
  return new UnauthorizedError('Invalid bearer token', { cause: error });
}

function isKeySetUnavailable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout) return true;
  // jose throws its generic error only for a JWKS response that is not 200 or not JSON.
  if (error instanceof errors.JOSEError) return error.code === 'ERR_JOSE_GENERIC';
  // Anything jose did not classify came from fetch itself (connection refused, DNS).
  return true;
}

function checkAudience(payload: JWTPayload, clientId: string): void {
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
  // Keycloak adds `aud: atlas-gateway` through a mapper; `azp` is always the client the token was issued to.
  if (!audiences.includes(clientId) && payload['azp'] !== clientId) {
    throw new UnauthorizedError('Invalid bearer token', {
      cause: new Error(
        `token is for aud=${JSON.stringify(payload.aud)} azp=${String(payload['azp'])}`,
      ),
    });
  }
  // An ID token is signed by the same key and carries the same aud; only access tokens may call us.
  if (payload['typ'] !== undefined && payload['typ'] !== 'Bearer') {
    throw new UnauthorizedError('Invalid bearer token', {
      cause: new Error(`token typ is ${JSON.stringify(payload['typ'])}, expected Bearer`),
    });
  }
}

function principalOf(payload: JWTPayload): Principal {
  const realmAccess = payload['realm_access'] as { roles?: unknown } | undefined;
  const roles = Array.isArray(realmAccess?.roles)
    ? realmAccess.roles.filter((role): role is string => typeof role === 'string')
    : [];
  const username = payload['preferred_username'];
  return {
    // requiredClaims guarantees sub.
    subject: payload.sub ?? '',
    username: typeof username === 'string' ? username : '',
    roles,
    permissions: permissionsOf(roles),
  };
}
