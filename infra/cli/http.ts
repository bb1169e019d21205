import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadStackConfig } from '@atlas/config';
import { CliError, EXIT, exitCodeForStatus } from './exit.ts';
import { asProblem, formatProblem } from './output.ts';
import { currentBearer } from './session.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface Answer<T = unknown> {
  readonly status: number;
  readonly body: T;
  /** The Idempotency-Key sent, for commands. */
  readonly idempotencyKey?: string;
  readonly replayed: boolean;
}

/** An answer ≥ 400: its problem printed as `title: detail`, its exit code from the status. */
export class HttpProblem extends CliError {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown, text: string) {
    const problem = asProblem(body);
    super(exitCodeForStatus(status, problem?.code), formatProblem(status, body, text));
    this.status = status;
    this.body = body;
  }
}

export interface RequestOptions {
  readonly body?: unknown;
  /** For POST/PUT: the Idempotency-Key; a fresh UUID when not given. */
  readonly idempotencyKey?: string;
  readonly timeoutMs?: number;
}

export interface GatewayClient {
  readonly url: string;
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<Answer<T>>;
}

/** `fetch` that turns "nobody answered" into exit 3 with the address. */
export async function reach(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new CliError(
      EXIT.unreachable,
      `${what} at ${new URL(url).origin} does not answer${cause ? ` (${cause})` : ''}: is the system up? (npm start)`,
      { cause: error },
    );
  }
}

const TRANSIENT = new Set([502, 503, 504]);
const RETRIES = 3;
const RETRY_MS = 1_000;

/** A client of the gateway that sends the cached token (exit 4 when there is none valid). */
export function gateway(env: Env = process.env): GatewayClient {
  const url = `http://127.0.0.1:${loadStackConfig(env).gateway.port}`;
  return {
    url,
    // The caller names the shape it expects; nothing checks it (these are the gateway's answers).
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
    async request<T>(method: string, path: string, options: RequestOptions = {}) {
      const token = currentBearer(env);
      const headers: Record<string, string> = {
        authorization: `Bearer ${token.accessToken}`,
        accept: 'application/json',
      };
      const command = method !== 'GET' && method !== 'HEAD';
      const idempotencyKey = command ? (options.idempotencyKey ?? randomUUID()) : undefined;
      if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      if (body !== undefined) headers['content-type'] = 'application/json';
      const send = (): Promise<Response> =>
        reach(
          `${url}${path}`,
          {
            method,
            headers,
            ...(body === undefined ? {} : { body }),
            signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
          },
          'the gateway',
        );
      // A function restarting behind the gateway answers 502/503 for a moment: a read is tried
      // again a few times (a command is not: its answer may be the one its key keeps).
      let response = await send();
      for (
        let retry = 0;
        !command && retry < RETRIES && TRANSIENT.has(response.status);
        retry += 1
      ) {
        await response.body?.cancel();
        await sleep(RETRY_MS);
        response = await send();
      }
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (response.status >= 400) {
        const problem = new HttpProblem(response.status, parsed, text);
        if (response.status === 401)
          throw new CliError(
            EXIT.auth,
            `${problem.message}\nthe gateway refused the cached token of ${token.user}: run \`atlas login\` again`,
          );
        throw problem;
      }
      return {
        status: response.status,
        body: parsed as T,
        ...(idempotencyKey ? { idempotencyKey } : {}),
        replayed: response.headers.get('idempotent-replayed') === 'true',
      };
    },
  };
}

/** `?a=1&b=x` of the defined values, or ''. */
export function query(
  params: Readonly<Record<string, string | number | boolean | undefined>>,
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export const segment = encodeURIComponent;
