import type { KafkaMessage } from 'kafkajs';
import { kafkaHeaderText } from '../cloud-event-http.ts';

/** A dead letter as `GET /v1/ops/dlq` shows it; what the record does not say is null. */
export interface DeadLetter {
  /** `<domain>-<partition>-<offset>` of the dead-letter record: stable, unique across the DLQs. */
  readonly id: string;
  readonly eventId: string | null;
  readonly eventType: string | null;
  readonly correlationId: string | null;
  /** The function whose delivery failed (its catalog name). */
  readonly consumer: string | null;
  /** Where the event was read from. */
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: string | null;
  readonly attempts: number | null;
  readonly failedAt: string | null;
  /** The consumer's last answer: HTTP status (0 = no answer) and the first KiB of its body. */
  readonly error: { readonly code: number | null; readonly body: string };
  /** Where the dead letter itself is. */
  readonly deadLetter: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
  };
}

/** A dead-letter record as read from its topic. */
export interface DeadLetterRecord {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

const DLQ_TOPIC = /^atlas\.([a-z]+)\.dlq\.v1$/;
const ID = /^([a-z]+)-(\d{1,9})-(\d{1,19})$/;

/** `atlas.order.dlq.v1` → `order`; null for a topic that is no dead-letter topic. */
export function domainOf(topic: string): string | null {
  return DLQ_TOPIC.exec(topic)?.[1] ?? null;
}

export function deadLetterId(record: { topic: string; partition: number; offset: string }): string {
  return `${domainOf(record.topic) ?? 'unknown'}-${record.partition}-${record.offset}`;
}

/** Where an id points: `atlas.<domain>.dlq.v1`, partition, offset; null for no such id. */
export function parseDeadLetterId(
  id: string,
): { readonly topic: string; readonly partition: number; readonly offset: string } | null {
  const match = ID.exec(id);
  if (!match) return null;
  const [, domain = '', partition = '', offset = ''] = match;
  return { topic: `atlas.${domain}.dlq.v1`, partition: Number(partition), offset };
}

const numberOrNull = (text: string | null): number | null =>
  text === null || !/^\d+$/.test(text) ? null : Number(text);

/**
 * Reads a record in the format of the local KafkaSource and Knative (`ce_knativeerror*` for the
 * failure, `atlas_dlq_*` for its provenance; `infra/local/kafka-source/dead-letter.ts`).
 */
export function toDeadLetter(record: DeadLetterRecord): DeadLetter {
  const { headers, offset } = record.message;
  const header = (name: string): string | null => kafkaHeaderText(headers, name);
  const errorData = header('ce_knativeerrordata');
  return {
    id: deadLetterId({ topic: record.topic, partition: record.partition, offset }),
    eventId: header('ce_id'),
    eventType: header('ce_type'),
    correlationId: header('ce_correlationid'),
    consumer: header('atlas_dlq_consumer'),
    topic: header('atlas_dlq_source_topic'),
    partition: numberOrNull(header('atlas_dlq_source_partition')),
    offset: header('atlas_dlq_source_offset'),
    attempts: numberOrNull(header('atlas_dlq_attempts')),
    failedAt: header('atlas_dlq_failed_at'),
    error: {
      code: numberOrNull(header('ce_knativeerrorcode')),
      body: errorData === null ? '' : Buffer.from(errorData, 'base64').toString('utf8'),
    },
    deadLetter: { topic: record.topic, partition: record.partition, offset },
  };
}

/** Newest failure first; records without a time last; then by id for a stable order. */
export function byNewestFailure(a: DeadLetter, b: DeadLetter): number {
  const at = (letter: DeadLetter): number => (letter.failedAt ? Date.parse(letter.failedAt) : 0);
  return at(b) - at(a) || a.id.localeCompare(b.id);
}
