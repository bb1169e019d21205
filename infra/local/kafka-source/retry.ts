/**
 * The statuses Knative's delivery retries: server errors, and the client errors that say "not
 * now" rather than "never" (not found yet, timeout, conflict, throttled). Any other 4xx is a
 * verdict on the event itself, so retrying cannot help: it goes straight to the dead letters.
 */
export function isRetriableStatus(status: number): boolean {
  return status >= 500 || status === 404 || status === 408 || status === 409 || status === 429;
}

/**
 * Equal-jitter exponential backoff: retry `n` (1-based) waits between half and all of
 * base·2^(n-1), Knative's `exponential` policy (delay·2^retryIndex, first index 0) with jitter so
 * many sources retrying one sick function do not arrive in lockstep. Never less than half: the
 * retries must still span the outage the policy promises to ride out (DELIVERY_POLICY).
 */
export function backoffDelay(
  baseMs: number,
  retry: number,
  random: () => number = Math.random,
): number {
  const step = baseMs * 2 ** (retry - 1);
  return Math.floor(step / 2 + random() * (step / 2));
}

/** Resolves after `ms`, or rejects at once when `signal` aborts (the process is stopping). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
