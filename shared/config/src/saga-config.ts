import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { moneySchema } from '@atlas/money';
import { ConfigError } from './config-error.ts';
import { repoRoot } from './repo-root.ts';

type Env = Readonly<Record<string, string | undefined>>;

const REPO_ROOT = repoRoot();
const MIN_SECRET_LENGTH = 32;

/** Business settings of the order saga that more than one service must agree on. */
export interface SagaConfig {
  /**
   * Orders whose total is at or above this amount wait for an approval after payment (contract §4).
   * Order decides on it and Workflow requests the approval on it, so both read this one variable.
   */
  readonly approvalThreshold: string;
}

/**
 * Reads `ATLAS_APPROVAL_THRESHOLD` (default `10000.00`, a decimal string with two places).
 *
 * @throws ConfigError when it is not an amount.
 */
export function loadSagaConfig(env: Env = process.env): SagaConfig {
  const raw = env['ATLAS_APPROVAL_THRESHOLD']?.trim() ?? '';
  const approvalThreshold = raw === '' ? '10000.00' : raw;
  if (!moneySchema.safeParse(approvalThreshold).success) {
    throw new ConfigError(
      'ATLAS_APPROVAL_THRESHOLD',
      `expected an amount with two decimal places such as "10000.00", got "${approvalThreshold}"`,
    );
  }
  return { approvalThreshold };
}

/** Where the local stack keeps the generated payment webhook secret (never in the repository). */
export function localWebhookSecretPath(env: Env = process.env): string {
  return join(resolve(REPO_ROOT, env['ATLAS_STATE_DIR'] ?? '.atlas'), 'secrets', 'payment-webhook');
}

/**
 * The HMAC secret shared by the card provider and the payment webhook: `ATLAS_PAYMENT_WEBHOOK_SECRET`
 * (a cluster Secret), else the secret `npm start` generated for this clone.
 *
 * @throws ConfigError when neither exists or the secret is shorter than 32 characters.
 */
export function loadPaymentWebhookSecret(env: Env = process.env): string {
  const variable = 'ATLAS_PAYMENT_WEBHOOK_SECRET';
  const fromEnv = env[variable]?.trim() ?? '';
  const file = localWebhookSecretPath(env);
  let secret = fromEnv;
  if (secret === '') {
    if (!existsSync(file)) {
      throw new ConfigError(variable, `not set, and ${file} does not exist (npm start creates it)`);
    }
    secret = readFileSync(file, 'utf8').trim();
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(variable, `must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return secret;
}

/** Creates this clone's payment webhook secret once (owner-only file); returns true when it did. */
export function ensureLocalWebhookSecret(env: Env = process.env): boolean {
  const file = localWebhookSecretPath(env);
  if (existsSync(file)) return false;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // 'wx' fails when a concurrent start won the race, which leaves its secret in place.
  try {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  chmodSync(file, 0o600);
  return true;
}
