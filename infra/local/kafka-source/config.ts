import { DELIVERY_POLICY, functionUrl, functionUrlVariable } from '@atlas/catalog';
import { integerSetting, type Env } from '../lib/settings.ts';
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

export type { Env } from '../lib/settings.ts';

export class DeliveryConfigError extends Error {
  readonly code = 'ATLAS_DELIVERY_CONFIG_INVALID';
}

const invalid = (message: string): Error => new DeliveryConfigError(message);

/**
 * Reads the delivery settings from `env`.
 *
 * @example
 * const { backoffMs, retries } = loadDeliveryConfig({ ATLAS_DELIVERY_RETRIES: '3' });
 */
export function loadDeliveryConfig(env: Env = process.env): DeliveryConfig {
  return {
    backoffMs: integerSetting(
      env,
      'ATLAS_DELIVERY_BACKOFF_MS',
      { fallback: DELIVERY_POLICY.backoffDelayMs, min: 0, max: 60_000 },
      invalid,
    ),
    retries: integerSetting(
      env,
      'ATLAS_DELIVERY_RETRIES',
      { fallback: DELIVERY_POLICY.retries, min: 0, max: 5 },
      invalid,
    ),
    timeoutMs: integerSetting(
      env,
      'ATLAS_DELIVERY_TIMEOUT_MS',
      { fallback: 30_000, min: 100, max: 600_000 },
      invalid,
    ),
    port: integerSetting(
      env,
      'ATLAS_DELIVERY_PORT',
      { fallback: 8099, min: 1, max: 65_535 },
      invalid,
    ),
  };
}

/** The variable that overrides where a source delivers (see `functionUrl` in @atlas/catalog). */
export const sinkUrlVariable = functionUrlVariable;

/** Where a source delivers: the function's catalog port on loopback, unless overridden. */
export const sinkUrl = functionUrl;
