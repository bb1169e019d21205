import type { Permission } from './permissions.ts';

/** Who made the request, as read from a verified access token. */
export interface Principal {
  /** `sub`: the stable user id; scope per-user data (idempotency keys, for one) by this. */
  readonly subject: string;
  /** `preferred_username`, for logs and audit trails; empty when the token has none. */
  readonly username: string;
  /** `realm_access.roles`, as Keycloak sent them (default roles included). */
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<Permission>;
}
