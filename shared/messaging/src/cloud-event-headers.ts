import type { AtlasEvent } from '@atlas/events';

/** Media type of a Confluent-framed Avro record value. */
export const AVRO_CONTENT_TYPE = 'application/avro';

/**
 * The CloudEvents Kafka protocol binding (binary mode) for an Atlas event: the `ce_` headers a
 * Knative KafkaSource turns into a CloudEvent without touching the value. Correlation and causation
 * ride along as extension attributes so a consumer can log them before it decodes anything, and
 * `traceparent` (when tracing records) as the distributed-tracing extension.
 */
export function cloudEventKafkaHeaders(
  event: Pick<
    AtlasEvent,
    | 'eventId'
    | 'eventType'
    | 'producer'
    | 'occurredAt'
    | 'aggregateId'
    | 'correlationId'
    | 'causationId'
  > & { readonly traceparent?: string | undefined },
): Record<string, string> {
  return {
    // The CloudEvents distributed-tracing extension: the publish span the consumer's span follows.
    ...(event.traceparent ? { ce_traceparent: event.traceparent } : {}),
    ce_specversion: '1.0',
    ce_id: event.eventId,
    ce_type: event.eventType,
    ce_source: `/atlas/${event.producer}`,
    ce_time: event.occurredAt,
    ce_subject: event.aggregateId,
    ce_correlationid: event.correlationId,
    ce_causationid: event.causationId,
    'content-type': AVRO_CONTENT_TYPE,
  };
}
