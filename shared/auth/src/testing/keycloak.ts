import { loadStackConfig } from '@atlas/config';

export const DEMO_USERS = {
  admin: 'Admin',
  ops: 'Ops',
  finance: 'Finance',
  approver: 'Approver',
  viewer: 'Viewer',
} as const;

export type DemoUser = keyof typeof DEMO_USERS;

/** A real access token from the local realm via the password grant (local realm only, see ADR-0015). */
export async function fetchToken(
  username: string,
  password = 'atlas',
): Promise<{ status: number; accessToken?: string }> {
  const { keycloak } = loadStackConfig();
  const response = await fetch(`${keycloak.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: keycloak.clientId,
      username,
      password,
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  return {
    status: response.status,
    ...(body.access_token ? { accessToken: body.access_token } : {}),
  };
}

/** `Bearer <access token>` for a demo user, ready for an `Authorization` header; fails loudly if refused. */
export async function bearerFor(username: string): Promise<string> {
  const { status, accessToken } = await fetchToken(username);
  if (accessToken === undefined)
    throw new Error(`Keycloak refused a token for ${username}: HTTP ${status}`);
  return `Bearer ${accessToken}`;
}
