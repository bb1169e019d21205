import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadStackConfig } from '@atlas/config';
import { CliError, EXIT } from './exit.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** What `atlas login` caches: the token, who it is for, where it came from, until when. */
export interface CachedToken {
  readonly user: string;
  readonly issuer: string;
  readonly accessToken: string;
  /** ISO-8601. */
  readonly expiresAt: string;
  readonly obtainedAt: string;
}

/**
 * `~/.cache/atlas-erp/cli-token.json`, in the cache folder the stack tool uses
 * (`ATLAS_CACHE_DIR`, else `$XDG_CACHE_HOME/atlas-erp`, else `~/.cache/atlas-erp`).
 */
export function tokenFile(env: Env = process.env): string {
  const cache = resolve(
    env['ATLAS_CACHE_DIR'] ?? join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'atlas-erp'),
  );
  return join(cache, 'cli-token.json');
}

export function readToken(env: Env = process.env): CachedToken | undefined {
  try {
    const token = JSON.parse(readFileSync(tokenFile(env), 'utf8')) as Partial<CachedToken>;
    if (
      typeof token.accessToken !== 'string' ||
      typeof token.expiresAt !== 'string' ||
      typeof token.user !== 'string' ||
      typeof token.issuer !== 'string'
    )
      return undefined;
    return token as CachedToken;
  } catch {
    return undefined;
  }
}

export function writeToken(token: CachedToken, env: Env = process.env): string {
  const file = tokenFile(env);
  mkdirSync(resolve(file, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(token, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an older file keeps its mode on write
  return file;
}

/** True when there was a token to forget. */
export function removeToken(env: Env = process.env): boolean {
  const file = tokenFile(env);
  const existed = readToken(env) !== undefined;
  rmSync(file, { force: true });
  return existed;
}

/** Seconds of margin: a token that expires within them counts as expired already. */
const MARGIN_MS = 10_000;

/**
 * The cached bearer for the configured Keycloak, or exit 4 saying how to log in: none cached, one
 * of another realm, or one that expired.
 */
export function currentBearer(env: Env = process.env, now = Date.now()): CachedToken {
  const token = readToken(env);
  if (!token) throw new CliError(EXIT.auth, 'not logged in: run `atlas login` first');
  const { issuer } = loadStackConfig(env).keycloak;
  if (token.issuer !== issuer)
    throw new CliError(
      EXIT.auth,
      `the cached login is for ${token.issuer}, not ${issuer}: run \`atlas login\` again`,
    );
  if (Date.parse(token.expiresAt) - MARGIN_MS <= now)
    throw new CliError(
      EXIT.auth,
      `your login as ${token.user} expired at ${token.expiresAt}: run \`atlas login${token.user === 'ops' ? '' : ` --user ${token.user}`}\` again`,
    );
  return token;
}

function isLocal(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

/** Reads a password from the terminal without echoing it. */
async function promptPassword(user: string): Promise<string> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const muted = rl as unknown as { _writeToOutput: (text: string) => void };
  const prompt = `password for ${user}: `;
  process.stderr.write(prompt);
  muted._writeToOutput = () => undefined;
  return new Promise((done) => {
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      done(answer);
    });
  });
}

/**
 * The password to log in with: `--password`, else `ATLAS_PASSWORD`, else the demo users' password
 * when Keycloak is the local one (its realm allows the password grant for them only), else a
 * prompt on a terminal; else a usage error.
 */
export async function resolvePassword(
  user: string,
  given: string | undefined,
  env: Env = process.env,
): Promise<{ password: string; source: string }> {
  if (given !== undefined) return { password: given, source: '--password' };
  const fromEnv = env['ATLAS_PASSWORD'];
  if (fromEnv) return { password: fromEnv, source: 'ATLAS_PASSWORD' };
  const { url } = loadStackConfig(env).keycloak;
  if (isLocal(url)) return { password: 'atlas', source: 'the local realm’s demo password' };
  if (process.stdin.isTTY) return { password: await promptPassword(user), source: 'prompt' };
  throw new CliError(EXIT.usage, 'no password: pass --password or set ATLAS_PASSWORD');
}

/** The password grant against the realm's token endpoint (client `atlas-gateway`). */
export async function login(
  user: string,
  password: string,
  env: Env = process.env,
  now = Date.now(),
): Promise<CachedToken> {
  const { issuer, clientId } = loadStackConfig(env).keycloak;
  let response: Response;
  try {
    response = await fetch(`${issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: clientId,
        username: user,
        password,
      }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new CliError(EXIT.unreachable, `Keycloak at ${issuer} does not answer`, { cause: error });
  }
  const text = await response.text();
  let body: {
    access_token?: string;
    expires_in?: number;
    error?: string;
    error_description?: string;
  } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: reported below with the status
  }
  if (!response.ok || !body.access_token) {
    if (response.status >= 500)
      throw new CliError(EXIT.unreachable, `Keycloak answered ${response.status}`);
    const why = body.error_description ?? body.error ?? `HTTP ${response.status}`;
    throw new CliError(EXIT.auth, `Keycloak refused the login of ${user}: ${why}`);
  }
  return {
    user,
    issuer,
    accessToken: body.access_token,
    expiresAt: new Date(now + (body.expires_in ?? 300) * 1000).toISOString(),
    obtainedAt: new Date(now).toISOString(),
  };
}
