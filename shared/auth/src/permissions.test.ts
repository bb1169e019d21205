import { describe, expect, it } from '@jest/globals';
import { ForbiddenError } from '@atlas/errors';
import type { Permission, Principal } from './index.ts';
import { ALL_PERMISSIONS, permissionsOf, requirePermission } from './index.ts';

// The contract's §2 table, transcribed by hand (not derived from PERMISSIONS, or the test proves nothing).
// Columns: Admin, Ops, Finance, Approver, Viewer.
const MATRIX: readonly [Permission, boolean, boolean, boolean, boolean, boolean][] = [
  ['orders:read', true, true, true, true, true],
  ['reports:read', true, true, true, true, true],
  ['inventory:read', true, true, true, true, true],
  ['orders:write', true, true, false, false, false],
  ['inventory:write', true, true, false, false, false],
  ['billing:read', true, true, true, false, false],
  ['billing:write', true, false, true, false, false],
  ['approvals:read', true, false, true, true, false],
  ['approvals:decide', true, false, false, true, false],
  ['ops:operate', true, true, false, false, false],
  ['audit:read', true, false, false, false, false],
];
const ROLE_COLUMNS = ['Admin', 'Ops', 'Finance', 'Approver', 'Viewer'] as const;

const cases = MATRIX.flatMap(([permission, ...granted]) =>
  ROLE_COLUMNS.map((role, column) => [role, permission, granted[column] === true] as const),
);

describe('permissionsOf', () => {
  it('covers every permission of the contract and no other', () => {
    expect([...ALL_PERMISSIONS].sort()).toEqual(MATRIX.map(([permission]) => permission).sort());
  });

  it.each(cases)('%s holds %s: %s', (role, permission, expected) => {
    expect(permissionsOf([role]).has(permission)).toBe(expected);
  });

  it('gives Admin every permission', () => {
    expect(permissionsOf(['Admin']).size).toBe(ALL_PERMISSIONS.length);
  });

  it('unions the permissions of several roles', () => {
    const granted = permissionsOf(['Approver', 'Ops']);
    expect(granted.has('approvals:decide')).toBe(true);
    expect(granted.has('ops:operate')).toBe(true);
    expect(granted.has('billing:write')).toBe(false);
  });

  it('grants nothing for unknown roles, Keycloak defaults or a differently cased role', () => {
    expect(permissionsOf(['default-roles-atlas-erp', 'offline_access', 'admin']).size).toBe(0);
    expect(permissionsOf([]).size).toBe(0);
  });
});

describe('requirePermission', () => {
  const viewer: Principal = {
    subject: 'u-1',
    username: 'viewer',
    roles: ['Viewer'],
    permissions: permissionsOf(['Viewer']),
  };

  it('lets a principal holding the permission through', () => {
    expect(() => requirePermission(viewer, 'orders:read')).not.toThrow();
  });

  it('throws a 403 ForbiddenError when the permission is missing', () => {
    expect(() => requirePermission(viewer, 'orders:write')).toThrow(ForbiddenError);
  });
});
