import type { IHeaders } from 'kafkajs';
import {
  httpHeadersOfKafkaCloudEvent,
  kafkaHeaderText,
  percentEncode,
} from '@atlas/messaging/cloud-event-http';

/** The parts of a consumed Kafka record the CloudEvents mapping reads. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Milliseconds since the epoch, as kafkajs gives it. */
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders | undefined;
}

/** A binary-mode CloudEvents HTTP request: attributes in headers, data as the body. */
export interface HttpCloudEvent {
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  /** The `ce-id` the request carries, for logs. */
  readonly id: string;
}

/** The source attribute Knative gives records that are not CloudEvents. */
export function knativeSource(namespace: string, sourceName: string, topic: string): string {
  return `/apis/v1/namespaces/${namespace}/kafkasources/${sourceName}#${topic}`;
}

/**
 * Maps a Kafka record to a binary-mode HTTP CloudEvent, as Knative's KafkaSource dispatcher does:
 * - a record with `ce_specversion` (Kafka binding, binary mode; what our outbox relay writes) keeps
 *   its attributes: every `ce_<attr>` header becomes `ce-<attr>`, `content-type` stays;
 * - any other record gets Knative's synthesised attributes (type `dev.knative.kafka.event`,
 *   subject `partition:<p>#<offset>`, the record time, a `key` extension with the record key and a
 *   `kafkaheader<name>` extension per header), with an id unique across topics.
 * The body is always the record value's bytes, untouched.
 */
export function toHttpCloudEvent(
  record: KafkaRecord,
  sourceName: string,
  namespace = 'atlas-erp',
): HttpCloudEvent {
  const recordHeaders = record.headers ?? {};
  const binary = httpHeadersOfKafkaCloudEvent(recordHeaders);
  const headers: Record<string, string> = binary ?? {};
  if (binary === null) {
    const contentType = kafkaHeaderText(recordHeaders, 'content-type');
    if (contentType !== null) headers['content-type'] = contentType;
    const { topic, partition, offset } = record;
    headers['ce-specversion'] = '1.0';
    headers['ce-id'] = `${topic}-${partition}-${offset}`;
    headers['ce-source'] = knativeSource(namespace, sourceName, topic);
    headers['ce-type'] = 'dev.knative.kafka.event';
    headers['ce-subject'] = `partition:${partition}#${offset}`;
    headers['ce-time'] = new Date(Number(record.timestamp)).toISOString();
    if (record.key !== null) headers['ce-key'] = percentEncode(record.key.toString('utf8'));
    for (const name of Object.keys(recordHeaders)) {
      const text = kafkaHeaderText(recordHeaders, name);
      // CloudEvents extension names are lower-case letters and digits only.
      const extension = `kafkaheader${name.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
      if (text !== null && name !== 'content-type')
        headers[`ce-${extension}`] = percentEncode(text);
    }
  }
  return {
    headers,
    body: record.value ?? new Uint8Array(0),
    id: headers['ce-id'] ?? `${record.topic}-${record.partition}-${record.offset}`,
  };
}
