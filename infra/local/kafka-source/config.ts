import { DELIVERY_POLICY, functionUrl, functionUrlVariable } from '@atlas/catalog';
/** Settings of the local delivery process, read once at start so a bad value fails loudly then. */
export interface DeliveryConfig {
  /** Base of the exponential backoff, in milliseconds (`ATLAS_DELIVERY_BACKOFF_MS`). */
  readonly backoffMs: number;
  /** Retries after the first attempt (`ATLAS_DELIVERY_RETRIES`); the contract caps it at 5. */
  readonly retries: number;
  /** Time one HTTP attempt may take before it counts as a network failure. */
  readonly timeoutMs: number;
  /** Port of the `/metrics` and `/health` server (`ATLAS_DELIVERY_PORT`). */
  readonly port: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

export class DeliveryConfigError extends Error {
  readonly code = 'ATLAS_DELIVERY_CONFIG_INVALID';
}

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DeliveryConfigError(`${name}: expected an integer ${min}-${max}, got "${raw}"`);
  }
  return value;
}

/**
 * Reads the delivery settings from `env`.
 *
 * @example
 * const { backoffMs, retries } = loadDeliveryConfig({ ATLAS_DELIVERY_RETRIES: '3' });
 */
export function loadDeliveryConfig(env: Env = process.env): DeliveryConfig {
  return {
    backoffMs: readInt(env, 'ATLAS_DELIVERY_BACKOFF_MS', DELIVERY_POLICY.backoffDelayMs, 0, 60_000),
    retries: readInt(env, 'ATLAS_DELIVERY_RETRIES', DELIVERY_POLICY.retries, 0, 5),
    timeoutMs: readInt(env, 'ATLAS_DELIVERY_TIMEOUT_MS', 30_000, 100, 600_000),
    port: readInt(env, 'ATLAS_DELIVERY_PORT', 8099, 1, 65_535),
  };
}

/** The variable that overrides where a source delivers (see `functionUrl` in @atlas/catalog). */
export const sinkUrlVariable = functionUrlVariable;

/** Where a source delivers: the function's catalog port on loopback, unless overridden. */
export const sinkUrl = functionUrl;
