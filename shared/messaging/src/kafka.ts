import { Kafka, type KafkaConfig } from 'kafkajs';
// kafkajs has no exports map, so its request queue is reachable by path; it has no types either.
// @ts-expect-error -- untyped CommonJS module of kafkajs 2.2.4
import RequestQueue from 'kafkajs/src/network/requestQueue/index.js';

interface RequestQueueState {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own interval for looking at queued requests again while it is over its in-flight limit. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

let patched = false;

/**
 * kafkajs 2.2.4 (its last release) re-arms a timer of `throttledUntil - now` ms after every
 * look at its request queue, even when nothing is queued and nothing is throttled. That delay
 * is negative, Node clamps it to 1 ms, and every broker connection of every client spins at
 * 1,000 wake-ups a second for ever: ~27 ms of CPU per second for an idle relay. The timer is
 * only needed while requests wait (for a throttle to end, or for an in-flight slot, which the
 * completion of a request also checks), so that is the only time it is armed now.
 */
function stopIdleSpin(): void {
  if (patched) return;
  patched = true;
  const prototype = (RequestQueue as { prototype: RequestQueueState }).prototype;
  prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(
    this: RequestQueueState,
  ): void {
    if (this.throttleCheckTimeoutId) return;
    const throttledForMs = this.throttledUntil - Date.now();
    if (this.pending.length === 0 && throttledForMs <= 0) return;
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      throttledForMs > 0 ? throttledForMs : CHECK_PENDING_REQUESTS_INTERVAL_MS,
    );
  };
}

/**
 * The one way Atlas code creates a kafkajs client: a `new Kafka(config)` whose connections sleep
 * while they have nothing to do (see {@link stopIdleSpin}).
 *
 * @example
 * const kafka = createKafka({ clientId: 'order-outbox-relay', brokers: [...config.kafka.brokers] });
 */
export function createKafka(config: KafkaConfig): Kafka {
  stopIdleSpin();
  return new Kafka(config);
}
