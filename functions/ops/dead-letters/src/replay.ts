import { functionUrl, kafkaSources, type CatalogEntry } from '@atlas/catalog';
import { httpHeadersOfKafkaCloudEvent } from '@atlas/messaging/cloud-event-http';
import { kafkaHeaderText, type DeadLetterRecord } from '@atlas/messaging/dead-letters';

/** A binary-mode CloudEvents HTTP request: attributes in headers, data as the body. */
export interface ReplayRequest {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/**
 * The CloudEvent the KafkaSource sent for the original record: every `ce_<attr>` header as
 * `ce-<attr>`, its content type, the value untouched. The `ce_knativeerror*` extensions were added
 * by the dead-lettering, not by the producer, so they are left out. Null for a record that is no
 * binary-mode CloudEvent (the source would have made up its attributes, which cannot be replayed
 * faithfully).
 */
export function replayRequestOf(record: DeadLetterRecord): ReplayRequest | null {
  const headers = httpHeadersOfKafkaCloudEvent(record.message.headers, (name) =>
    name.startsWith('ce_knativeerror'),
  );
  return headers === null ? null : { headers, body: record.message.value ?? Buffer.alloc(0) };
}

/**
 * Where the dead letter goes back to: its consumer's URL from the catalog (its port, or its
 * `ATLAS_FUNCTION_URL_<SERVICE>_<NAME>` override, as the KafkaSource resolves it now, so a moved
 * function is still found), else the sink URL recorded when it failed (`ce_knativeerrordest`).
 * Null when neither is known.
 */
export function replayTarget(
  record: DeadLetterRecord,
  catalog: readonly CatalogEntry[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | null {
  const headers = record.message.headers;
  const consumer = kafkaHeaderText(headers, 'atlas_dlq_consumer');
  const sourceTopic = kafkaHeaderText(headers, 'atlas_dlq_source_topic');
  // Function names are unique per service only: the topic it read tells two namesakes apart.
  const candidates = kafkaSources(catalog).filter(
    (entry) =>
      entry.name === consumer &&
      (sourceTopic === null || entry.trigger.topics.some((topic) => topic === sourceTopic)),
  );
  const [only] = candidates;
  if (candidates.length === 1 && only) return functionUrl(only.qualifiedName, only.port, env);
  return kafkaHeaderText(headers, 'ce_knativeerrordest');
}
