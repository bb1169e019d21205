import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DependencyUnavailableError, ForbiddenError, UnauthorizedError } from '@atlas/errors';
import { loadStackConfig } from '@atlas/config';
import { DEMO_USERS, fetchToken } from './testing/index.ts';
import type { DemoUser } from './testing/index.ts';
import { SignJWT, UnsecuredJWT, decodeProtectedHeader } from 'jose';
import {
  createTokenVerifier,
  permissionsOf,
  requirePermission,
  tokenVerifierOptionsFrom,
} from './index.ts';
import type { LocalIssuer } from './testing/index.ts';
import { startLocalIssuer } from './testing/index.ts';

const options = tokenVerifierOptionsFrom();
const keycloak = createTokenVerifier(options);
const now = (): number => Math.floor(Date.now() / 1000);

async function tokenOf(user: DemoUser): Promise<string> {
  const { status, accessToken } = await fetchToken(user);
  if (accessToken === undefined) throw new Error(`Keycloak refused ${user}: HTTP ${status}`);
  return accessToken;
}

/** The error a promise rejects with, so a test can look at its class and its cause. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function expectUnauthorized(promise: Promise<unknown>, causeCode?: string): Promise<void> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(UnauthorizedError);
  // The caller only ever sees the vague message; the reason stays in `cause` for the log.
  expect((error as Error).message).toMatch(/^(Invalid|Missing|Malformed) bearer token|header/);
  if (causeCode !== undefined) expect((error as Error).cause).toMatchObject({ code: causeCode });
}

function segments(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return [header, payload, signature];
}

function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segments(token)[1], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

describe('token verification against the local Keycloak', () => {
  it.each(Object.entries(DEMO_USERS) as [DemoUser, string][])(
    'reads %s as a principal with the %s role and its permissions',
    async (user, role) => {
      const principal = await keycloak.verifyAuthorizationHeader(`Bearer ${await tokenOf(user)}`);
      expect(principal.username).toBe(user);
      expect(principal.subject).toMatch(/^[0-9a-f-]{36}$/);
      expect(principal.roles).toContain(role);
      expect([...principal.permissions].sort()).toEqual([...permissionsOf([role])].sort());
    },
  );

  it('refuses a request without an Authorization header with a 401', async () => {
    await expectUnauthorized(keycloak.verifyAuthorizationHeader(undefined));
  });

  it('refuses a malformed Authorization header with a 401', async () => {
    const token = await tokenOf('ops');
    await expectUnauthorized(keycloak.verifyAuthorizationHeader(`Basic ${token}`));
    await expectUnauthorized(keycloak.verifyAuthorizationHeader(`Bearer ${token} extra`));
    await expectUnauthorized(keycloak.verifyAuthorizationHeader('Bearer not-a-jwt'));
  });

  it('refuses a real token whose payload had one character flipped', async () => {
    const [header, payload, signature] = segments(await tokenOf('viewer'));
    const at = Math.floor(payload.length / 2);
    const flipped = `${payload.slice(0, at)}${payload[at] === 'A' ? 'B' : 'A'}${payload.slice(at + 1)}`;
    await expectUnauthorized(keycloak.verify(`${header}.${flipped}.${signature}`));
  });

  it('refuses a real token whose roles were rewritten to Admin, keeping the signature', async () => {
    const token = await tokenOf('viewer');
    const [header, , signature] = segments(token);
    const forged = { ...decodePayload(token), realm_access: { roles: ['Admin'] } };
    const payload = Buffer.from(JSON.stringify(forged)).toString('base64url');
    await expectUnauthorized(
      keycloak.verify(`${header}.${payload}.${signature}`),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    );
  });

  it('refuses an unsecured token (alg: none) carrying real claims', async () => {
    const claims = decodePayload(await tokenOf('viewer'));
    const unsecured = new UnsecuredJWT({ ...claims, realm_access: { roles: ['Admin'] } }).encode();
    expect(decodeProtectedHeader(unsecured).alg).toBe('none');
    await expectUnauthorized(keycloak.verify(unsecured), 'ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('refuses an HS256 token even when it names the realm key id', async () => {
    const real = await tokenOf('viewer');
    const hs256 = await new SignJWT(decodePayload(real))
      .setProtectedHeader({ alg: 'HS256', kid: decodeProtectedHeader(real).kid ?? '' })
      .sign(new TextEncoder().encode('a-guessable-shared-secret-of-32-bytes!'));
    await expectUnauthorized(keycloak.verify(hs256), 'ERR_JOSE_ALG_NOT_ALLOWED');
  });

  it('answers 403, not 401, when a valid user lacks the permission', async () => {
    const viewer = await keycloak.verify(await tokenOf('viewer'));
    expect(() => requirePermission(viewer, 'orders:write')).toThrow(ForbiddenError);
    const ops = await keycloak.verify(await tokenOf('ops'));
    expect(() => requirePermission(ops, 'approvals:decide')).toThrow(ForbiddenError);
  });
});

describe('token verification with locally signed tokens', () => {
  let issuer: LocalIssuer;
  let verifier: ReturnType<typeof createTokenVerifier>;
  const valid = (): Record<string, unknown> => ({
    iss: options.issuer,
    sub: 'local-user',
    aud: options.audience,
    azp: options.audience,
    typ: 'Bearer',
    preferred_username: 'local',
    realm_access: { roles: ['Finance'] },
    iat: now(),
    exp: now() + 300,
  });

  beforeAll(async () => {
    issuer = await startLocalIssuer();
    verifier = createTokenVerifier({ ...options, jwksUrl: issuer.jwksUrl, clockToleranceSec: 5 });
  });
  afterAll(async () => {
    await issuer.close();
  });

  it('accepts a well-formed token (the control for the cases below)', async () => {
    const principal = await verifier.verify(await issuer.sign(valid()));
    expect(principal).toMatchObject({
      subject: 'local-user',
      username: 'local',
      roles: ['Finance'],
    });
    expect(principal.permissions.has('billing:write')).toBe(true);
  });

  it('refuses an expired token', async () => {
    const token = await issuer.sign({ ...valid(), iat: now() - 600, exp: now() - 60 });
    await expectUnauthorized(verifier.verify(token), 'ERR_JWT_EXPIRED');
  });

  it('refuses a token without exp', async () => {
    const claims = valid();
    delete claims['exp'];
    await expectUnauthorized(
      verifier.verify(await issuer.sign(claims)),
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    );
  });

  it('refuses a token from another issuer', async () => {
    const token = await issuer.sign({ ...valid(), iss: 'http://127.0.0.1:8180/realms/other' });
    await expectUnauthorized(verifier.verify(token), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  });

  it('refuses a token signed by a key whose kid the JWKS does not have', async () => {
    const token = await issuer.sign(valid(), { unknownKey: true });
    await expectUnauthorized(verifier.verify(token), 'ERR_JWKS_NO_MATCHING_KEY');
  });

  it('refuses a token meant for another client (neither aud nor azp is ours)', async () => {
    const token = await issuer.sign({ ...valid(), aud: 'account', azp: 'other-client' });
    await expectUnauthorized(verifier.verify(token));
  });

  it('accepts our client id in an aud array, or as azp alone', async () => {
    const inArray = await issuer.sign({ ...valid(), aud: ['account', options.audience], azp: 'x' });
    await expect(verifier.verify(inArray)).resolves.toMatchObject({ subject: 'local-user' });
    const azpOnly = await issuer.sign({ ...valid(), aud: 'account' });
    await expect(verifier.verify(azpOnly)).resolves.toMatchObject({ subject: 'local-user' });
  });

  it('refuses an ID token (typ ID) presented as an access token', async () => {
    await expectUnauthorized(verifier.verify(await issuer.sign({ ...valid(), typ: 'ID' })));
  });

  it('stops reusing a cached verification when the token expires', async () => {
    const strict = createTokenVerifier({
      ...options,
      jwksUrl: issuer.jwksUrl,
      clockToleranceSec: 0,
    });
    const expiresSoon = await issuer.sign({ ...valid(), exp: now() + 2 });
    await strict.verify(expiresSoon);
    await expect(strict.verify(expiresSoon)).resolves.toMatchObject({ subject: 'local-user' });

    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await expectUnauthorized(strict.verify(expiresSoon), 'ERR_JWT_EXPIRED');
  });

  it('answers 503 when the key set cannot be fetched at all', async () => {
    const closed = await startLocalIssuer();
    const jwksUrl = closed.jwksUrl;
    await closed.close();
    const unreachable = createTokenVerifier({ ...options, jwksUrl });
    const error = await rejectionOf(unreachable.verify(await issuer.sign(valid())));
    expect(error).toBeInstanceOf(DependencyUnavailableError);
  });
});

describe('tokenVerifierOptionsFrom', () => {
  it('checks the issuer tokens carry and fetches the keys where this process reaches the realm', () => {
    const options = tokenVerifierOptionsFrom(
      loadStackConfig({
        ATLAS_KEYCLOAK_URL: 'http://keycloak.atlas-infra.svc.cluster.local:8080',
        ATLAS_KEYCLOAK_ISSUER: 'http://127.0.0.1:18180/realms/atlas-erp',
      }),
    );
    expect(options).toEqual({
      issuer: 'http://127.0.0.1:18180/realms/atlas-erp',
      audience: 'atlas-gateway',
      jwksUrl:
        'http://keycloak.atlas-infra.svc.cluster.local:8080/realms/atlas-erp/protocol/openid-connect/certs',
    });
  });
});
