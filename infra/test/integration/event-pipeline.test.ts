import { transaction } from '@atlas/db';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Partitioners, type Admin, type Producer } from 'kafkajs';
import { loadStackConfig } from '@atlas/config';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { createEventCodec, type AtlasEvent } from '@atlas/events';
import { serve, type RunningFunction } from '@atlas/http';
import { startKafkaSources, type KafkaSources } from '@atlas/infra-local/kafka-source';
import { appendEvent, createOutboxRelay, eventFunction, type OutboxRelay } from '@atlas/messaging';
import { createTestTopic, orderPlaced, testKafka } from '@atlas/messaging/testing';
import { createLogger, createMetricsRegistry } from '@atlas/observability';

// The whole path an event takes: outbox → relay → Kafka → KafkaSource → CloudEvent → consumer's
// inbox and effect. The relay's crash behaviour and the source's retries have their own tests.
const config = loadStackConfig();
const kafka = testKafka();
const logger = createLogger({ service: 'test', function: 'event-pipeline', level: 'silent' });
const registry = createMetricsRegistry({ service: 'test', function: 'event-pipeline' });
const codec = createEventCodec({ registryUrl: config.schemaRegistry.url });
const topics: string[] = [];
let admin: Admin;
let producer: Producer;
let database: TestDatabase;
let relay: OutboxRelay;
let consumer: RunningFunction;
let topic: string;

function startSource(name: string): Promise<KafkaSources> {
  const port = Number(new URL(consumer.url).port);
  return startKafkaSources({
    sources: [
      { name, port, trigger: { kind: 'kafka', topics: [topic], eventTypes: ['OrderPlaced'] } },
    ],
    brokers: config.kafka.brokers,
    logger,
    registry,
    backoffMs: 10,
  });
}

async function effects(): Promise<{ order_id: string; event_id: string }[]> {
  return database.sql<
    { order_id: string; event_id: string }[]
  >`select order_id, event_id from pipeline_effects order by seq`;
}

async function waitFor(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the event pipeline', () => {
  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    topic = await createTestTopic(admin);
    const deadLetters = topic.replace(/\.events\.v1$/, '.dlq.v1');
    await admin.createTopics({
      topics: [{ topic: deadLetters, numPartitions: 1, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    topics.push(topic, deadLetters);

    database = await createTestDatabase();
    await database.sql`create table pipeline_effects (seq bigserial primary key, order_id text not null, event_id uuid not null)`;
    const handle = eventFunction(
      {
        name: 'pipeline-consumer',
        service: 'inventory',
        eventTypes: ['OrderPlaced'],
        handle: async (tx, event) => {
          await tx`insert into pipeline_effects (order_id, event_id) values (${event.payload.orderId}, ${event.eventId})`;
        },
      },
      { sql: database.sql, codec, logger, registry },
    );
    consumer = await serve({
      name: 'pipeline-consumer',
      routes: [{ method: 'POST', route: '/', handle }],
      logger,
      registry,
    });

    producer = kafka.producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    relay = createOutboxRelay({
      service: 'test',
      sql: database.sql,
      producer,
      codec,
      logger,
      registry,
      pollIntervalMs: 200,
      topicMap: () => topic,
    });
    await relay.start();
  });

  afterAll(async () => {
    await relay.stop();
    await producer.disconnect();
    await consumer.close();
    await database.drop();
    await admin.deleteTopics({ topics });
    await admin.disconnect();
  });

  it('applies every committed event once, in order per order, and again only once when the topic is replayed', async () => {
    const orderIds = Array.from({ length: 5 }, () => randomUUID());
    const sent: AtlasEvent[] = Array.from({ length: 6 }, () =>
      orderIds.map((orderId) => orderPlaced(orderId)),
    ).flat();
    for (const event of sent) await transaction(database.sql, (tx) => appendEvent(tx, event));

    const source = await startSource(`pipeline-${randomUUID()}`);
    await waitFor(async () => (await effects()).length >= sent.length, 'every event to be applied');
    await source.stop();

    // A second KafkaSource (a new consumer group) redelivers the whole topic: the inbox absorbs it.
    const replay = await startSource(`pipeline-replay-${randomUUID()}`);
    await waitFor(async () => {
      const [row] = await database.sql<{ n: number }[]>`
        select count(*)::int as n from atlas_inbox where consumer = 'pipeline-consumer'`;
      const handled = await registry.getSingleMetric('atlas_events_handled_total')?.get();
      const duplicates =
        handled?.values
          .filter((v) => v.labels['outcome'] === 'duplicate')
          .reduce((sum, v) => sum + v.value, 0) ?? 0;
      return (row?.n ?? 0) === sent.length && duplicates >= sent.length;
    }, 'the replay to be absorbed');
    await replay.stop();

    const applied = await effects();
    expect(applied).toHaveLength(sent.length);
    for (const orderId of orderIds) {
      expect(applied.filter((row) => row.order_id === orderId).map((row) => row.event_id)).toEqual(
        sent.filter((event) => event.aggregateId === orderId).map((event) => event.eventId),
      );
    }
  }, 90_000);
});
