import { ForbiddenError } from '@atlas/errors';
import type { Principal } from './principal.ts';

/** The realm roles of the contract, §2. Tokens may carry others (Keycloak defaults); those grant nothing. */
export const ROLES = ['Admin', 'Ops', 'Finance', 'Approver', 'Viewer'] as const;

export type Role = (typeof ROLES)[number];

const EVERYONE = ROLES;

/**
 * The RBAC matrix of the contract, §2, as data: permission → the roles that hold it. Admin is
 * listed in every row on purpose, so the table reads exactly like the contract's.
 */
export const PERMISSIONS = {
  'orders:read': EVERYONE,
  'reports:read': EVERYONE,
  'inventory:read': EVERYONE,
  'orders:write': ['Admin', 'Ops'],
  'inventory:write': ['Admin', 'Ops'],
  'billing:read': ['Admin', 'Finance', 'Ops'],
  'billing:write': ['Admin', 'Finance'],
  'approvals:read': ['Admin', 'Approver', 'Finance'],
  'approvals:decide': ['Admin', 'Approver'],
  'ops:operate': ['Admin', 'Ops'],
  // Not in the contract's table: the audit trail is for Admin only (ADR-0027).
  'audit:read': ['Admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Every permission of the matrix, in table order. */
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

/**
 * The permissions a set of realm roles grants. Unknown roles are ignored.
 *
 * @example
 * permissionsOf(['Finance']).has('billing:write'); // true
 */
export function permissionsOf(roles: readonly string[]): ReadonlySet<Permission> {
  const granted = new Set<Permission>();
  for (const permission of ALL_PERMISSIONS) {
    const holders: readonly string[] = PERMISSIONS[permission];
    if (roles.some((role) => holders.includes(role))) granted.add(permission);
  }
  return granted;
}

/**
 * Throws `ForbiddenError` (403) unless the principal holds the permission.
 *
 * @example
 * requirePermission(principal, 'orders:write');
 */
export function requirePermission(principal: Principal, permission: Permission): void {
  if (!principal.permissions.has(permission)) {
    throw new ForbiddenError(`Missing permission ${permission}`);
  }
}
