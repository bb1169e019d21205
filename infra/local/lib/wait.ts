import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `probe` until it answers true or the timeout passes; returns whether it became ready. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  {
    timeoutMs,
    intervalMs = 250,
    stillAlive,
  }: { timeoutMs: number; intervalMs?: number; stillAlive?: () => boolean },
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) {
      return true;
    }
    if (stillAlive && !stillAlive()) {
      return false;
    }
    await sleep(intervalMs);
  }
  return false;
}

/** GET that resolves true on a 2xx answer, false on anything else including no answer. */
export async function httpOk(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
