import type { MiddlewareObj } from '@middy/core';
import { requirePermission, type Permission, type TokenVerifier } from '@atlas/auth';
import type { HttpEvent, HttpResult } from '../types.ts';

/**
 * Verifies the bearer token (401) and the route's permission (403) before anything else is read,
 * so an anonymous caller learns nothing about validation rules or resources. Without a
 * permission it only authenticates (the gateway: services authorise themselves).
 */
export function authenticate(
  verifier: TokenVerifier,
  permission?: Permission,
): MiddlewareObj<HttpEvent, HttpResult | undefined> {
  return {
    name: 'authenticate',
    before: async ({ event }) => {
      const principal = await verifier.verifyAuthorizationHeader(event.headers['authorization']);
      // Known before the permission check, so a refused attempt is logged and audited with its who.
      event.principal = {
        subject: principal.subject,
        username: principal.username,
        roles: principal.roles,
      };
      event.logger = event.logger.child({ subject: principal.subject });
      if (permission) requirePermission(principal, permission);
    },
  };
}
