export { parseBearerToken } from './bearer.ts';
export {
  ALL_PERMISSIONS,
  PERMISSIONS,
  ROLES,
  permissionsOf,
  requirePermission,
} from './permissions.ts';
export type { Permission, Role } from './permissions.ts';
export type { Principal } from './principal.ts';
export { createTokenVerifier, tokenVerifierOptionsFrom } from './token-verifier.ts';
export type { TokenVerifier, TokenVerifierOptions } from './token-verifier.ts';
export type { VerifiedTokenCacheOptions } from './verified-token-cache.ts';
