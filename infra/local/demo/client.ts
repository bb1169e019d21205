import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadStackConfig } from '@atlas/config';

/** The demo users of the local realm (password `atlas`, local only). */
export const USERS = ['admin', 'ops', 'finance', 'approver', 'viewer'] as const;
export type User = (typeof USERS)[number];

export interface CallOptions {
  readonly user?: User;
  /** Sent as JSON; `rawBody` wins when both are given. */
  readonly body?: unknown;
  readonly rawBody?: string;
  /** `Idempotency-Key`; `true` makes a fresh one. */
  readonly key?: string | true;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface GatewayResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body exactly as sent, for byte-for-byte comparisons. */
  readonly text: string;
  /** The body parsed as JSON, undefined when it is not JSON. */
  readonly json: unknown;
}

export interface Gateway {
  readonly url: string;
  call(method: string, path: string, options?: CallOptions): Promise<GatewayResponse>;
  /** `Bearer …` for a demo user, fetched once per process and reused until it nearly expires. */
  bearer(user: User): Promise<string>;
}

export class GatewayUnavailableError extends Error {
  readonly code = 'ATLAS_GATEWAY_UNAVAILABLE';
}

const PATIENCE_MS = 30_000;

function refused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED';
}

/**
 * Sends, and while the gateway or the function behind it is restarting (refused connection,
 * 502/503) tries again for up to 30 s: `npm start` and the test set-up restart a process whose
 * code changed, and a refused request never reached anyone, so sending it again is safe.
 */
async function sendWithPatience(target: string, init: RequestInit): Promise<Response> {
  const deadline = Date.now() + PATIENCE_MS;
  for (;;) {
    try {
      const response = await fetch(target, init);
      if ((response.status !== 502 && response.status !== 503) || Date.now() > deadline)
        return response;
      await response.body?.cancel();
    } catch (error) {
      if (!refused(error) || Date.now() > deadline)
        throw new GatewayUnavailableError(`the gateway at ${target} does not answer`, {
          cause: error,
        });
    }
    await sleep(500);
  }
}

/** A client of the running system's gateway, authenticating as the demo users. */
export function gatewayClient(env = process.env): Gateway {
  const config = loadStackConfig(env);
  const url = `http://127.0.0.1:${config.gateway.port}`;
  const tokens = new Map<User, { bearer: string; until: number }>();

  async function bearer(user: User): Promise<string> {
    const cached = tokens.get(user);
    if (cached && cached.until > Date.now()) return cached.bearer;
    const response = await fetch(`${config.keycloak.issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: config.keycloak.clientId,
        username: user,
        password: 'atlas',
      }),
    });
    const body = (await response.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token)
      throw new Error(`Keycloak refused a token for ${user}: ${response.status}`);
    const token = `Bearer ${body.access_token}`;
    // A minute of margin so a token never expires between two steps of a saga.
    tokens.set(user, { bearer: token, until: Date.now() + ((body.expires_in ?? 300) - 60) * 1000 });
    return token;
  }

  async function call(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<GatewayResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.user) headers['authorization'] = await bearer(options.user);
    if (options.key) headers['idempotency-key'] = options.key === true ? randomUUID() : options.key;
    const body =
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await sendWithPatience(`${url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  return { url, call, bearer };
}
