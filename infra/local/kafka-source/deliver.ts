import type { HttpCloudEvent } from './cloudevent.ts';
import type { UpstreamCall } from '@atlas/http/upstream';
import { backoffDelay, isRetriableStatus, sleep } from './retry.ts';

/** How a delivery ended: accepted by the sink, or given up on (then it is dead-lettered). */
export type DeliveryResult =
  | { readonly outcome: 'delivered'; readonly attempts: number; readonly status: number }
  | {
      readonly outcome: 'rejected' | 'exhausted';
      readonly attempts: number;
      /** The last HTTP status, 0 when the last attempt got no answer at all. */
      readonly status: number;
      /** The last response body, at most {@link ERROR_BODY_LIMIT} bytes. */
      readonly body: Buffer;
    };

/** Knative keeps 1 KiB of the failed response in `knativeerrordata`. */
export const ERROR_BODY_LIMIT = 1024;

export interface DeliverOptions {
  readonly url: string;
  readonly event: HttpCloudEvent;
  readonly retries: number;
  readonly backoffMs: number;
  readonly timeoutMs: number;
  readonly post: UpstreamCall;
  /** Aborts waits and requests when the process stops; the record is then left uncommitted. */
  readonly signal: AbortSignal;
  /** kafkajs `heartbeat()`: keeps the group membership alive through a long retry. */
  readonly heartbeat: () => Promise<void>;
  readonly onRetry?: (retry: number, status: number, delayMs: number) => void;
  readonly random?: () => number;
}

interface Attempt {
  readonly status: number;
  readonly body: Buffer;
}

async function attempt(options: DeliverOptions): Promise<Attempt> {
  const { url, event, timeoutMs, signal } = options;
  try {
    return await options.post(url, {
      method: 'POST',
      headers: event.headers,
      body: event.body,
      signal,
      timeoutMs,
      maxBodyBytes: ERROR_BODY_LIMIT,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    // Connection refused, reset, DNS, timeout: no answer, which Knative reports as code 0.
    return { status: 0, body: Buffer.from(error instanceof Error ? error.message : String(error)) };
  }
}

/** kafkajs's default heartbeat interval; its session times out after 30 s without one. */
const HEARTBEAT_EVERY_MS = 3_000;

/**
 * Sleeps `ms` (up to two minutes between the last retries) in slices, heartbeating between them, so
 * the group does not take the partition away from a source that is only waiting to retry.
 */
async function waitHeartbeating(ms: number, options: DeliverOptions): Promise<void> {
  const until = Date.now() + ms;
  await options.heartbeat();
  for (let left = ms; left > 0; left = until - Date.now()) {
    await sleep(Math.min(left, HEARTBEAT_EVERY_MS), options.signal);
    await options.heartbeat();
  }
}

/**
 * POSTs one CloudEvent until the sink accepts it (2xx), refuses it for good (a non-retriable
 * 4xx, or a 1xx/3xx nobody should answer), or `retries` retries are spent. Rejects only when
 * `signal` aborts or a heartbeat fails (a rebalance): both leave the record to be delivered again.
 *
 * @example
 * const result = await deliverWithRetry({ url, event, retries: 5, backoffMs: 200, ... });
 * if (result.outcome !== 'delivered') await deadLetter(result);
 */
export async function deliverWithRetry(options: DeliverOptions): Promise<DeliveryResult> {
  for (let retry = 0; ; retry++) {
    const { status, body } = await attempt(options);
    const attempts = retry + 1;
    if (status >= 200 && status < 300) return { outcome: 'delivered', attempts, status };
    const retriable = status === 0 || isRetriableStatus(status);
    if (!retriable) return { outcome: 'rejected', attempts, status, body };
    if (retry >= options.retries) return { outcome: 'exhausted', attempts, status, body };

    const delayMs = backoffDelay(options.backoffMs, retry + 1, options.random);
    options.onRetry?.(retry + 1, status, delayMs);
    await waitHeartbeating(delayMs, options);
  }
}
