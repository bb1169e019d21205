import { loadStackConfig, type ServiceName } from '@atlas/config';
import { createSql, type Sql } from '@atlas/db';
import { createEventCodec, type EventType } from '@atlas/events';
import { serveFunctionProcess } from '@atlas/http';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { eventFunction, type EventFunctionSpec } from './event-function.ts';

/** The part of a `function.json` a consumer process needs (its JSON import fits). */
export interface EventFunctionDefinition {
  readonly name: string;
  readonly port: number;
  readonly trigger: { readonly kind: string; readonly eventTypes?: readonly string[] };
}

export interface EventFunctionOptions<T extends EventType> {
  readonly service: ServiceName;
  readonly definition: EventFunctionDefinition;
  /** Built once at start-up, given the service's database pool (for reads outside the event's transaction). */
  readonly consumer: (sql: Sql) => EventFunctionSpec<T>;
}

/**
 * Fails at start when the catalog and the handler disagree on the event types: the KafkaSource
 * would otherwise deliver types the handler acknowledges unseen, or withhold ones it needs.
 */
export function assertSameEventTypes(
  definition: EventFunctionDefinition,
  handled: readonly string[],
): void {
  const declared = [...(definition.trigger.eventTypes ?? [])].sort();
  const actual = [...handled].sort();
  if (declared.join() !== actual.join()) {
    throw new Error(
      `${definition.name}: function.json declares [${declared.join(', ')}] but the handler handles [${actual.join(', ')}]`,
    );
  }
}

/**
 * A Kafka-triggered function as a deployable process: the KafkaSource POSTs each record to `/` as a
 * binary CloudEvent, handled by {@link eventFunction} in one transaction with the inbox and outbox;
 * `/health`, `/ready` (its database and the schema registry) and `/metrics` as every function.
 *
 * @example
 * await runEventFunction({ service: 'order', definition, consumer: () => orderSagaConsumer(config) });
 */
export async function runEventFunction<T extends EventType>(
  options: EventFunctionOptions<T>,
): Promise<void> {
  const { definition } = options;
  const config = loadStackConfig();
  const labels = { service: options.service, function: definition.name };
  const logger = createLogger(labels);
  const registry = createMetricsRegistry(labels);
  const sql = createSql(config.postgres.databaseUrl(options.service), {
    applicationName: `${options.service}-${definition.name}`,
  });
  const spec = options.consumer(sql);
  assertSameEventTypes(definition, spec.eventTypes);
  const codec = createEventCodec({ registryUrl: config.schemaRegistry.url });
  const handle = eventFunction(spec, { sql, codec, logger, registry });
  await serveFunctionProcess({
    service: options.service,
    name: definition.name,
    port: definition.port,
    routes: [{ method: 'POST', route: '/', handle }],
    logger,
    registry,
    readiness: {
      database: async () => {
        await sql`select 1`;
      },
      schemaRegistry: async () => {
        const response = await fetch(`${config.schemaRegistry.url}/subjects`, {
          signal: AbortSignal.timeout(2_000),
        });
        if (!response.ok) throw new Error(`schema registry answered ${response.status}`);
      },
    },
    onShutdown: async () => {
      await sql.end({ timeout: 5 });
    },
  });
}
