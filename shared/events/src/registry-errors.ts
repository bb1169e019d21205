import { DependencyUnavailableError } from '@atlas/errors';

/** HTTP status of a registry error response, when the registry answered at all. */
export function registryStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  const status = error.status;
  return typeof status === 'number' ? status : undefined;
}

const NETWORK_FAILURE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|socket hang up|timeout/i;

/**
 * True when the failure means the registry could not be reached or was overloaded (network
 * error, timeout, 5xx): trying again later may succeed.
 */
export function isUnreachable(error: unknown): boolean {
  const status = registryStatus(error);
  if (status !== undefined && (status >= 500 || status === 408)) return true;
  // mappersmith reports socket failures as a fake status 400 carrying the errno in the message.
  const message = error instanceof Error ? error.message : String(error);
  return NETWORK_FAILURE.test(message) || error instanceof TypeError;
}

/** Wraps a registry failure into the retriable error consumers understand. */
export function registryUnavailable(
  registryUrl: string,
  error: unknown,
): DependencyUnavailableError {
  return new DependencyUnavailableError(`Schema registry ${registryUrl} is unavailable`, {
    cause: error,
  });
}
