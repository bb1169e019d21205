import { describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { loadStackConfig } from '@atlas/config';
import { DEMO_USERS, fetchToken, type DemoUser } from '@atlas/auth/testing';

const { keycloak } = loadStackConfig();
const jwks = createRemoteJWKSet(new URL(`${keycloak.issuer}/protocol/openid-connect/certs`));

describe('Keycloak realm atlas-erp', () => {
  it.each(Object.entries(DEMO_USERS) as [DemoUser, string][])(
    'issues %s a token that verifies against the realm JWKS and carries role %s',
    async (username, role) => {
      const { status, accessToken } = await fetchToken(username);
      expect(status).toBe(200);

      const { payload, protectedHeader } = await jwtVerify(accessToken ?? '', jwks, {
        issuer: keycloak.issuer,
        audience: keycloak.clientId,
        algorithms: ['RS256'],
      });

      expect(protectedHeader.alg).toBe('RS256');
      expect(payload['azp']).toBe(keycloak.clientId);
      expect(payload['preferred_username']).toBe(username);
      const roles = (payload['realm_access'] as { roles: string[] }).roles;
      expect(roles).toContain(role);
      // Each demo user holds exactly one business role; the other four must be absent.
      const businessRoles = roles.filter((r) => Object.values(DEMO_USERS).includes(r as never));
      expect(businessRoles).toEqual([role]);
    },
  );

  it('refuses a wrong password with 401 and no token', async () => {
    const { status, accessToken } = await fetchToken('viewer', 'not-the-password');
    expect(status).toBe(401);
    expect(accessToken).toBeUndefined();
  });

  it('signs with a key the JWKS publishes under the token kid', async () => {
    const { accessToken } = await fetchToken('admin');
    const { kid } = decodeProtectedHeader(accessToken ?? '');
    const certs = (await (
      await fetch(`${keycloak.issuer}/protocol/openid-connect/certs`)
    ).json()) as { keys: { kid: string }[] };
    expect(certs.keys.map((key) => key.kid)).toContain(kid);
  });
});
