import type { IHeaders, Message } from 'kafkajs';
import type { KafkaRecord } from './cloudevent.ts';
import type { DeliveryResult } from './deliver.ts';

/** `atlas.<domain>.events.v<n>` → `atlas.<domain>.dlq.v1` (contract §5). */
export function deadLetterTopic(topic: string): string {
  const match = /^atlas\.([a-z]+)\.events\.v\d+$/.exec(topic);
  if (!match) throw new Error(`${topic} is not an atlas.<domain>.events.v<n> topic`);
  return `atlas.${match[1]}.dlq.v1`;
}

export interface DeadLetterContext {
  readonly record: KafkaRecord;
  readonly result: Exclude<DeliveryResult, { outcome: 'delivered' }>;
  readonly sinkUrl: string;
  readonly consumer: string;
  readonly failedAt: Date;
}

/**
 * The dead letter of a record: its key, value and headers unchanged, plus Knative's error
 * extensions in Kafka-binding form (`ce_knativeerror*`) and our own `atlas_dlq_*` provenance, so
 * the record can be replayed onto its source topic as it was and the failure read without logs.
 */
export function deadLetterMessage(context: DeadLetterContext): Message {
  const { record, result } = context;
  const headers: IHeaders = {
    ...record.headers,
    ce_knativeerrordest: context.sinkUrl,
    ce_knativeerrorcode: String(result.status),
    ce_knativeerrordata: result.body.toString('base64'),
    atlas_dlq_attempts: String(result.attempts),
    atlas_dlq_source_topic: record.topic,
    atlas_dlq_source_partition: String(record.partition),
    atlas_dlq_source_offset: record.offset,
    atlas_dlq_consumer: context.consumer,
    atlas_dlq_failed_at: context.failedAt.toISOString(),
  };
  return { key: record.key, value: record.value, headers };
}

/**
 * The dead letter could not be written, so the record stays uncommitted. Marked retriable and
 * deliberately without `cause`: kafkajs restarts a crashed consumer only when the deepest cause
 * is retriable, and a source that stopped for good would strand every partition it owns. The
 * producer's error is kept in `reason` and logged.
 */
export class DeadLetterWriteError extends Error {
  readonly code = 'ATLAS_DEAD_LETTER_WRITE_FAILED';
  readonly retriable = true;
  readonly reason: unknown;

  constructor(topic: string, reason: unknown) {
    super(
      `writing the dead letter to ${topic} failed: ${reason instanceof Error ? reason.message : String(reason)}`,
    );
    this.name = 'DeadLetterWriteError';
    this.reason = reason;
  }
}
