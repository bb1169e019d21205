import { Partitioners, logLevel } from 'kafkajs';
import { createKafka } from './kafka.ts';
import { loadStackConfig, type ServiceName } from '@atlas/config';
import { createSql } from '@atlas/db';
import { createEventCodec } from '@atlas/events';
import { serveFunctionProcess } from '@atlas/http';
import { createLogger, createMetricsRegistry, startTracing } from '@atlas/observability';
import { createOutboxRelay } from './relay.ts';

export interface RelayFunctionOptions {
  readonly service: ServiceName;
  /** The function's name in the catalog (`outbox-relay`). */
  readonly name: string;
  readonly port: number;
}

/**
 * The outbox relay as a deployable function: drains the service's outbox while it runs and serves
 * `/health`, `/ready` (its database and Kafka reachable) and `/metrics`. Stops cleanly on SIGTERM.
 */
export async function runRelayFunction(options: RelayFunctionOptions): Promise<void> {
  const config = loadStackConfig();
  // Before the relay publishes its first row, so that row's publish span is recorded too.
  startTracing(`${options.service}-${options.name}`);
  const labels = { service: options.service, function: options.name };
  const logger = createLogger(labels);
  const registry = createMetricsRegistry(labels);
  const sql = createSql(config.postgres.databaseUrl(options.service), {
    applicationName: `${options.service}-${options.name}`,
    max: 4,
  });
  const kafka = createKafka({
    clientId: `${options.service}-${options.name}`,
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.WARN,
  });
  const producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);

  const relay = createOutboxRelay({
    service: options.service,
    sql,
    producer,
    codec: createEventCodec({ registryUrl: config.schemaRegistry.url }),
    logger,
    registry,
  });
  await relay.start();
  await serveFunctionProcess({
    service: options.service,
    name: options.name,
    port: options.port,
    routes: [],
    logger,
    registry,
    readiness: {
      database: async () => {
        await sql`select 1`;
      },
      kafka: async () => {
        await admin.describeCluster();
      },
    },
    onShutdown: async () => {
      await relay.stop();
      await Promise.all([producer.disconnect(), admin.disconnect()]);
      await sql.end({ timeout: 5 });
    },
  });
}
