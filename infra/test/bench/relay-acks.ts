import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from 'kafkajs';

export interface AckRecorder {
  /** Hand this to the relay: the real producer, with `sendBatch` timed. */
  readonly producer: Producer;
  /** `performance.now()` at the broker acknowledgement of each event id (its `ce_id` header). */
  readonly ackedAt: Map<string, number>;
  /** Every `sendBatch`: when it started, how long the broker took, how many records. */
  readonly batches: { startedAt: number; ms: number; size: number }[];
  /** Resolves once every one of `eventIds` has been acknowledged; rejects after `timeoutMs`. */
  waitFor(eventIds: readonly string[], timeoutMs: number): Promise<void>;
}

/**
 * Wraps a producer so the time a batch's acks come back is known per event. The relay awaits
 * `sendBatch` (acks -1) before deleting the rows, so its resolution is exactly the ack it acts on.
 */
export function recordAcks(producer: Producer): AckRecorder {
  const ackedAt = new Map<string, number>();
  const batches: AckRecorder['batches'] = [];
  const timed: Producer = {
    ...producer,
    async sendBatch(batch) {
      const startedAt = performance.now();
      const result = await producer.sendBatch(batch);
      const now = performance.now();
      let size = 0;
      for (const { messages } of batch.topicMessages ?? []) {
        for (const message of messages) {
          const id = message.headers?.['ce_id'];
          if (typeof id === 'string') ackedAt.set(id, now);
        }
        size += messages.length;
      }
      batches.push({ startedAt, ms: now - startedAt, size });
      return result;
    },
  };
  return {
    producer: timed,
    ackedAt,
    batches,
    async waitFor(eventIds, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      let missing = eventIds.filter((id) => !ackedAt.has(id));
      while (missing.length > 0) {
        if (performance.now() > deadline) {
          throw new Error(`${missing.length} of ${eventIds.length} events were never acknowledged`);
        }
        // Polling only decides when to stop waiting; the ack times themselves are exact.
        await sleep(20);
        missing = missing.filter((id) => !ackedAt.has(id));
      }
    },
  };
}
