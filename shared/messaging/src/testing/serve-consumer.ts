import { loadStackConfig } from '@atlas/config';
import type { Sql } from '@atlas/db';
import { createEventCodec, registerSchemas, type AtlasEvent, type EventType } from '@atlas/events';
import { serve } from '@atlas/http';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { cloudEventKafkaHeaders } from '../cloud-event-headers.ts';
import { eventFunction, type EventFunctionSpec } from '../event-function.ts';

/** A consumer served in-process, fed the way the KafkaSource feeds it. */
export interface ConsumerUnderTest {
  readonly url: string;
  /** Delivers one event as a binary CloudEvent with the Avro value from the real registry. */
  readonly deliver: (event: AtlasEvent) => Promise<Response>;
  readonly close: () => Promise<void>;
}

/**
 * The consumer behind eventFunction (inbox, handler, outbox) on a test database, reached as its
 * KafkaSource reaches it: the record's `ce_` headers as `ce-` headers, the Avro value as the body.
 *
 * @example
 * const consumer = await serveConsumer(recordAuditConsumer(), database.sql);
 * expect((await consumer.deliver(event)).status).toBe(200);
 * await consumer.close();
 */
export async function serveConsumer<T extends EventType>(
  spec: EventFunctionSpec<T>,
  sql: Sql,
): Promise<ConsumerUnderTest> {
  const registryUrl = loadStackConfig().schemaRegistry.url;
  await registerSchemas({ registryUrl });
  const codec = createEventCodec({ registryUrl });
  const labels = { service: spec.service, function: `${spec.name}-test` };
  const logger = createLogger({ ...labels, level: 'silent' });
  const registry = createMetricsRegistry(labels);
  const handle = eventFunction(spec, { sql, codec, logger, registry });
  const running = await serve({
    name: labels.function,
    routes: [{ method: 'POST', route: '/', handle }],
    logger,
    registry,
  });
  return {
    url: running.url,
    deliver: async (event) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(cloudEventKafkaHeaders(event))) {
        headers[name.replace(/^ce_/, 'ce-')] = value;
      }
      return fetch(`${running.url}/`, { method: 'POST', headers, body: await codec.encode(event) });
    },
    close: () => running.close(),
  };
}
