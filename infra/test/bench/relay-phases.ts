import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message, Producer } from 'kafkajs';
import { transaction, type Sql } from '@atlas/db';
import type { AtlasEvent } from '@atlas/events';
import { appendEvent } from '@atlas/messaging';

/**
 * What the relay would do with no database in the way: pre-encoded records, one `sendBatch`
 * (acks -1) per `batchSize`, sequentially, exactly like the relay's drain loop. Returns elapsed ms.
 */
export async function sendRaw(
  producer: Producer,
  topic: string,
  messages: readonly Message[],
  batchSize: number,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < messages.length; i += batchSize) {
    await producer.sendBatch({
      acks: -1,
      topicMessages: [{ topic, messages: messages.slice(i, i + batchSize) }],
    });
  }
  return performance.now() - started;
}

/** Fills the outbox in large pipelined transactions, so staging costs little and is not measured. */
export async function stageOutbox(sql: Sql, events: readonly AtlasEvent[]): Promise<void> {
  const perTransaction = 5_000;
  for (let i = 0; i < events.length; i += perTransaction) {
    const chunk = events.slice(i, i + perTransaction);
    await transaction(sql, (tx) => Promise.all(chunk.map((event) => appendEvent(tx, event))));
  }
}

export interface PacedResult {
  /** `performance.now()` right after each event's COMMIT returned. */
  readonly committedAt: Map<string, number>;
  readonly elapsedMs: number;
}

/**
 * Commits one event per transaction at a steady `ratePerSec`, the way services emit them. Event i
 * falls due at start + i/rate and is written by connection i mod `writers`, which sleeps until then:
 * one timer per event (polling writers cost this 2-core box a core), and one slow commit delays
 * only its own stripe. If the writers cannot keep up, the achieved rate (not the latency) shows it.
 */
export async function writePaced(
  sql: Sql,
  events: readonly AtlasEvent[],
  ratePerSec: number,
  writers: number,
): Promise<PacedResult> {
  const committedAt = new Map<string, number>();
  const started = performance.now();
  async function writer(stripe: number): Promise<void> {
    for (let i = stripe; i < events.length; i += writers) {
      const event = events[i];
      if (!event) break;
      const wait = started + (i * 1000) / ratePerSec - performance.now();
      if (wait > 0) await sleep(wait);
      await transaction(sql, (tx) => appendEvent(tx, event));
      committedAt.set(event.eventId, performance.now());
    }
  }
  await Promise.all(Array.from({ length: writers }, (_, stripe) => writer(stripe)));
  return { committedAt, elapsedMs: performance.now() - started };
}
