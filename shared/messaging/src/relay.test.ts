import { transaction } from '@atlas/db';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Partitioners, type Admin, type Producer } from 'kafkajs';
import { loadStackConfig } from '@atlas/config';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { createEventCodec, registerSchemas, type AtlasEvent, type EventCodec } from '@atlas/events';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { appendEvent, createOutboxRelay, type OutboxRelay } from './index.ts';
import { createTestTopic, orderPlaced, testKafka } from './testing/index.ts';

const kafka = testKafka();
const logger = createLogger({
  service: 'test',
  function: 'relay-test',
  level: process.env['RELAY_TEST_LOG'] ?? 'silent',
});
let admin: Admin;
let producer: Producer;
let codec: EventCodec;
let database: TestDatabase;
const createdTopics: string[] = [];

interface Received {
  key: string;
  eventId: string;
  headers: Record<string, string>;
  event: AtlasEvent;
}

/** Reads the whole topic until `expected` distinct events arrived, then `settleMs` more to catch duplicates. */
async function readTopic(topic: string, expected: number, settleMs = 1_000): Promise<Received[]> {
  const consumer = kafka.consumer({ groupId: `atlas-test-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: Received[] = [];
  const distinct = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    const timeout = setTimeout(
      () => reject(new Error(`only ${distinct.size} of ${expected} events reached ${topic}`)),
      60_000,
    );
    void consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
        );
        const event = (await codec.decode(message.value ?? Buffer.alloc(0))) as AtlasEvent;
        received.push({
          key: message.key?.toString() ?? '',
          eventId: event.eventId,
          headers,
          event,
        });
        distinct.add(event.eventId);
        if (distinct.size === expected) {
          clearTimeout(timeout);
          setTimeout(resolve, settleMs);
        }
      },
    });
  });
  await consumer.disconnect();
  return received;
}

async function stage(events: readonly AtlasEvent[]): Promise<void> {
  // One transaction per event, like the services: every commit wakes the relay.
  for (const event of events) await transaction(database.sql, (tx) => appendEvent(tx, event));
}

/** Several events per order, in a known order, interleaved across orders. */
function eventsForOrders(orders: number, perOrder: number): AtlasEvent[] {
  const orderIds = Array.from({ length: orders }, () => randomUUID());
  return Array.from({ length: perOrder }, () =>
    orderIds.map((orderId) => orderPlaced(orderId)),
  ).flat();
}

function expectOrderPerAggregate(sent: readonly AtlasEvent[], received: readonly Received[]): void {
  // Duplicates are allowed after a crash (consumers dedupe); first appearances must keep the order.
  const firstSeen = [...new Map(received.map((r) => [r.eventId, r])).values()];
  for (const orderId of new Set(sent.map((event) => event.aggregateId))) {
    expect(firstSeen.filter((r) => r.key === orderId).map((r) => r.eventId)).toEqual(
      sent.filter((event) => event.aggregateId === orderId).map((event) => event.eventId),
    );
  }
}

function newRelay(
  topic: string,
  service = 'relay-test',
  options: { vacuumEveryRows?: number } = {},
): OutboxRelay {
  return createOutboxRelay({
    ...options,
    service,
    sql: database.sql,
    producer,
    codec,
    logger,
    registry: createMetricsRegistry({ service: 'test', function: 'relay-test' }),
    pollIntervalMs: 200,
    topicMap: () => topic,
  });
}

async function outboxCount(): Promise<number> {
  const [row] = await database.sql<{ n: number }[]>`select count(*)::int as n from atlas_outbox`;
  return row?.n ?? 0;
}

describe('the outbox relay', () => {
  beforeAll(async () => {
    const registryUrl = loadStackConfig().schemaRegistry.url;
    await registerSchemas({ registryUrl });
    codec = createEventCodec({ registryUrl });
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    // Connecting to a broker that is still settling the consumer groups of a just-started system
    // took over 30 s once in CI; the tests themselves keep the default budget.
  }, 90_000);

  beforeEach(async () => {
    database = await createTestDatabase();
  });

  afterEach(async () => {
    await database.drop();
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  it('publishes committed events keyed by aggregate, with CloudEvent headers, in order, and empties the outbox', async () => {
    const topic = await createTestTopic(admin);
    createdTopics.push(topic);
    const relay = newRelay(topic);
    await relay.start();
    const sent = eventsForOrders(5, 10);

    await stage(sent);
    const received = await readTopic(topic, sent.length, 300);
    await relay.stop();

    expect(received).toHaveLength(sent.length);
    expectOrderPerAggregate(sent, received);
    const first = received.find((r) => r.eventId === sent[0]?.eventId);
    expect(first?.headers).toMatchObject({
      ce_id: sent[0]?.eventId,
      ce_type: 'OrderPlaced',
      ce_specversion: '1.0',
      ce_source: '/atlas/test',
      ce_time: sent[0]?.occurredAt,
      'content-type': 'application/avro',
    });
    expect(first?.event).toEqual(sent[0]);
    expect(await outboxCount()).toBe(0);
  });

  it('keeps its outbox table small by vacuuming it, whatever the server does for it', async () => {
    const outboxBytes = async (): Promise<number> => {
      const [row] = await database.sql<
        { bytes: number }[]
      >`select pg_relation_size('atlas_outbox')::int as bytes`;
      return row?.bytes ?? 0;
    };
    const publishAll = async (vacuumEveryRows: number): Promise<void> => {
      const topic = await createTestTopic(admin);
      createdTopics.push(topic);
      const relay = newRelay(topic, 'relay-test', { vacuumEveryRows });
      await relay.start();
      const sent = eventsForOrders(20, 10);
      await stage(sent);
      await readTopic(topic, sent.length, 300);
      await relay.stop();
      expect(await outboxCount()).toBe(0);
    };

    // The control: deleted rows keep their pages until something vacuums them.
    await publishAll(Number.POSITIVE_INFINITY);
    expect(await outboxBytes()).toBeGreaterThan(8 * 8192);

    await publishAll(1);
    // The last drain's VACUUM found every row dead and gave the trailing pages back.
    expect(await outboxBytes()).toBe(0);
  });

  it('publishes a row staged without its Avro body (before migration 0002) exactly as one with it', async () => {
    const topic = await createTestTopic(admin);
    createdTopics.push(topic);
    const [legacy, current] = eventsForOrders(1, 2);
    if (!legacy || !current) throw new Error('two events expected');
    await stage([legacy, current]);
    await database.sql`update atlas_outbox set avro = null where event_id = ${legacy.eventId}`;

    const relay = newRelay(topic);
    await relay.start();
    const received = await readTopic(topic, 2, 300);
    await relay.stop();

    expect(received.map((r) => r.event)).toEqual([legacy, current]);
    expect(received[0]?.headers).toMatchObject({ ce_id: legacy.eventId, ce_type: 'OrderPlaced' });
    expect(received[1]?.headers).toMatchObject({ ce_id: current.eventId, ce_type: 'OrderPlaced' });
  });

  it('never publishes a row twice when two replicas run at once', async () => {
    const topic = await createTestTopic(admin);
    createdTopics.push(topic);
    const replicas = [newRelay(topic), newRelay(topic)];
    await Promise.all(replicas.map((relay) => relay.start()));
    const sent = eventsForOrders(10, 20);

    await stage(sent);
    const received = await readTopic(topic, sent.length, 1_500);
    const leaders = replicas.filter((relay) => relay.isLeader()).length;
    await Promise.all(replicas.map((relay) => relay.stop()));

    expect(leaders).toBe(1);
    expect(received).toHaveLength(sent.length);
    expectOrderPerAggregate(sent, received);
  });

  it('lets a stand-by take over when the leader stops, without a stall', async () => {
    const topic = await createTestTopic(admin);
    createdTopics.push(topic);
    const [first, second] = [newRelay(topic), newRelay(topic)];
    await first.start();
    await second.start();
    while (!first.isLeader() && !second.isLeader())
      await new Promise((resolve) => setTimeout(resolve, 20));
    const leader = first.isLeader() ? first : second;
    const standby = leader === first ? second : first;

    await leader.stop();
    const sent = eventsForOrders(3, 5);
    await stage(sent);
    const received = await readTopic(topic, sent.length, 300);
    await standby.stop();

    expect(received).toHaveLength(sent.length);
  });

  it('delivers every event, in order per aggregate, after the relay is SIGKILLed mid-batch and restarted', async () => {
    const topic = await createTestTopic(admin);
    createdTopics.push(topic);
    const sent = eventsForOrders(20, 100);
    await stage(sent);
    const startRelay = (): Promise<ChildProcess> =>
      new Promise((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [fileURLToPath(new URL('./testing/relay-process.ts', import.meta.url))],
          {
            env: {
              ...process.env,
              ATLAS_TEST_DATABASE_URL: database.url,
              ATLAS_TEST_TOPIC: topic,
              ATLAS_TEST_BATCH_SIZE: '50',
            },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        child.stdout.once('data', () => resolve(child));
        child.once('exit', (code) =>
          reject(new Error(`relay process exited with ${code ?? 'a signal'}`)),
        );
      });

    const victim = await startRelay();
    while ((await outboxCount()) > sent.length / 2)
      await new Promise((resolve) => setTimeout(resolve, 20));
    victim.removeAllListeners('exit');
    victim.kill('SIGKILL');
    const left = await outboxCount();
    const survivor = await startRelay();
    const received = await readTopic(topic, sent.length, 500);
    survivor.removeAllListeners('exit');
    survivor.kill('SIGTERM');

    expect(left).toBeGreaterThan(0);
    expect(new Set(received.map((r) => r.eventId)).size).toBe(sent.length);
    expectOrderPerAggregate(sent, received);
    expect(await outboxCount()).toBe(0);
  }, 120_000);
});
