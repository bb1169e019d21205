import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Admin, Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import { createTokenVerifier, tokenVerifierOptionsFrom } from '@atlas/auth';
import { bearerFor } from '@atlas/auth/testing';
import { loadStackConfig } from '@atlas/config';
import { migrationSetsOf } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import {
  createEvent,
  createEventCodec,
  registerSchemas,
  type AnyAtlasEvent,
  type EventCodec,
  type EventPayloads,
} from '@atlas/events';
import { PAYLOAD_FIXTURES, TEST_CONTEXT } from '@atlas/events/testing';
import { serve, type HttpRouteDependencies, type RunningFunction } from '@atlas/http';
import { createIdempotencyStore, createRedisClient } from '@atlas/idempotency';
import { removeKeys } from '@atlas/idempotency/testing';
import { createTestTopic, testKafka } from '@atlas/messaging/testing';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { projectEvent } from '@atlas/reporting-domain';
import { rebuildProjectionRoutes } from './routes.ts';

// The live projection and the rebuild over the same events must give the same read models. The
// events go to two throwaway topics (as the saga's go to several domains'), keyed by order.
const labels = { service: 'reporting', function: 'rebuild-projection-test' };
const logger = createLogger({ ...labels, level: 'silent' });
const keyPrefix = `atlas:test:${randomUUID()}`;
let database: TestDatabase;
let redis: Redis;
let kafka: Kafka;
let admin: Admin;
let codec: EventCodec;
let running: RunningFunction;
const topics: string[] = [];
const tokens: Record<string, string> = {};

type SagaType = Exclude<keyof EventPayloads, 'StockReceived' | 'AuditRecorded'>;

function sagaEvent<T extends SagaType>(
  orderId: string,
  type: T,
  payload: Partial<EventPayloads[T]> = {},
): AnyAtlasEvent {
  return createEvent(
    type,
    { ...PAYLOAD_FIXTURES[type], ...payload, orderId },
    TEST_CONTEXT,
  ) as AnyAtlasEvent;
}

async function rebuildCall(name: string, user = 'ops', key = randomUUID()): Promise<Response> {
  return fetch(`${running.url}/v1/ops/projections/${name}/rebuild`, {
    method: 'POST',
    headers: { authorization: tokens[user] ?? '', 'idempotency-key': key },
  });
}

/** Both read models, without the columns that record when and in which order rows were written. */
async function readModels(): Promise<{ orders: readonly unknown[]; timeline: readonly unknown[] }> {
  return {
    orders: await database.sql`select * from report_orders order by order_id`,
    timeline: await database.sql`
      select event_id, order_id, event_type, occurred_at, correlation_id, causation_id, producer,
             payload
      from report_events order by event_id`,
  };
}

const confirmedOrder = randomUUID();
const cancelledOrder = randomUUID();
const backordered = randomUUID();
// Topic 0 plays the order domain, topic 1 every other one.
const events: { topic: 0 | 1; event: AnyAtlasEvent }[] = [
  { topic: 0, event: sagaEvent(confirmedOrder, 'OrderPlaced') },
  { topic: 1, event: sagaEvent(confirmedOrder, 'InventoryReserved') },
  { topic: 1, event: sagaEvent(confirmedOrder, 'InvoiceCreated') },
  { topic: 1, event: sagaEvent(confirmedOrder, 'PaymentSucceeded') },
  { topic: 0, event: sagaEvent(confirmedOrder, 'OrderConfirmed') },
  { topic: 0, event: sagaEvent(cancelledOrder, 'OrderPlaced', { customerId: 'cust-9' }) },
  { topic: 1, event: sagaEvent(cancelledOrder, 'InventoryReserved') },
  { topic: 1, event: sagaEvent(cancelledOrder, 'InvoiceCreated') },
  { topic: 1, event: sagaEvent(cancelledOrder, 'PaymentFailed') },
  { topic: 1, event: sagaEvent(cancelledOrder, 'InvoiceVoided', { status: 'VOIDED' }) },
  { topic: 1, event: sagaEvent(cancelledOrder, 'InventoryReleased') },
  { topic: 0, event: sagaEvent(cancelledOrder, 'OrderCancelled', { reason: 'PAYMENT_FAILED' }) },
  { topic: 0, event: sagaEvent(backordered, 'OrderPlaced') },
  { topic: 1, event: sagaEvent(backordered, 'InventoryBackordered') },
  {
    topic: 1,
    event: createEvent('StockReceived', PAYLOAD_FIXTURES.StockReceived, TEST_CONTEXT),
  },
];

describe('rebuilding a projection', () => {
  beforeAll(async () => {
    const config = loadStackConfig();
    await registerSchemas({ registryUrl: config.schemaRegistry.url });
    codec = createEventCodec({ registryUrl: config.schemaRegistry.url });
    database = await createTestDatabase(migrationSetsOf('reporting'));
    redis = await createRedisClient(config.redis.url);
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    topics.push(await createTestTopic(admin), await createTestTopic(admin));

    const producer = kafka.producer();
    await producer.connect();
    for (const { topic, event } of events) {
      await producer.send({
        topic: topics[topic] ?? '',
        messages: [{ key: event.aggregateId, value: await codec.encode(event) }],
      });
    }
    // A record that is no Atlas event: the live projector dead-letters it; a rebuild skips it.
    await producer.send({ topic: topics[1] ?? '', messages: [{ key: 'x', value: 'not avro' }] });
    await producer.disconnect();

    // The live projection, as the projector sees it: one topic's events overtaking the other's,
    // and redeliveries.
    const arrival = [
      ...events.filter(({ topic }) => topic === 1),
      ...events.filter(({ topic }) => topic === 0),
      ...events.slice(0, 4),
    ];
    for (const { event } of arrival) {
      await database.sql.begin((tx) => projectEvent(tx, event));
    }

    const registry = createMetricsRegistry(labels);
    const dependencies: HttpRouteDependencies = {
      verifier: createTokenVerifier(tokenVerifierOptionsFrom()),
      idempotencyStore: createIdempotencyStore({ redis, keyPrefix }),
      logger,
      registry,
    };
    running = await serve({
      name: 'rebuild-projection-test',
      routes: rebuildProjectionRoutes(dependencies, database.sql, { kafka, codec, topics }),
      logger,
      registry,
    });
    for (const user of ['ops', 'admin', 'viewer', 'finance']) tokens[user] = await bearerFor(user);
  }, 60_000);

  afterAll(async () => {
    await running.close();
    await admin.deleteTopics({ topics });
    await admin.disconnect();
    await removeKeys(redis, keyPrefix);
    redis.disconnect();
    await database.drop();
  });

  it.each(['orders', 'timeline'])(
    'rebuilds %s from the topics into exactly what the live projection built',
    async (name) => {
      const live = await readModels();
      expect(live.orders).toHaveLength(3);
      expect(live.timeline).toHaveLength(14);

      const response = await rebuildCall(name);

      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({
        projection: name,
        topics,
        records: 16,
        skipped: 1,
        status: 'REBUILT',
      });
      expect(await readModels()).toEqual(live);
    },
    60_000,
  );

  it('repairs a read model that drifted from the events', async () => {
    const live = await readModels();
    await database.sql`update report_orders set status = 'PENDING', customer_id = null`;
    await database.sql`delete from report_events where order_id = ${cancelledOrder}`;

    expect((await rebuildCall('orders', 'admin')).status).toBe(202);
    expect((await rebuildCall('timeline', 'admin')).status).toBe(202);

    expect(await readModels()).toEqual(live);
  }, 60_000);

  it('answers a repeated request with the first answer, without rebuilding again', async () => {
    const key = randomUUID();
    const first = await rebuildCall('orders', 'ops', key);
    await database.sql`update report_orders set status = 'PENDING'`;

    const second = await rebuildCall('orders', 'ops', key);

    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.text()).toBe(await first.text());
    expect(await database.sql`select 1 from report_orders where status <> 'PENDING'`).toHaveLength(
      0,
    );
  }, 60_000);

  it('answers 404 to an unknown projection and changes nothing', async () => {
    const before = await readModels();
    const response = await rebuildCall('invoices');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await readModels()).toEqual(before);
  });

  it.each(['viewer', 'finance'])('answers 403 to %s, who may not operate', async (user) => {
    expect((await rebuildCall('orders', user)).status).toBe(403);
  });

  const brokenSources: [string, { registryUrl?: string; timeoutMs?: number }][] = [
    ['the registry cannot be reached', { registryUrl: 'http://127.0.0.1:9/ccompat' }],
    ['the topics are not read in time', { timeoutMs: 1 }],
  ];

  it.each(brokenSources)(
    'answers 503 and keeps the read models as they were when %s',
    async (_case, broken) => {
      const registryUrl = broken.registryUrl ?? loadStackConfig().schemaRegistry.url;
      const { timeoutMs } = broken;
      const registry = createMetricsRegistry(labels);
      const dependencies: HttpRouteDependencies = {
        verifier: createTokenVerifier(tokenVerifierOptionsFrom()),
        idempotencyStore: createIdempotencyStore({ redis, keyPrefix }),
        logger,
        registry,
      };
      const source = {
        kafka,
        codec: createEventCodec({ registryUrl, retries: 0 }),
        topics,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      };
      const failing = await serve({
        name: 'rebuild-projection-failing',
        routes: rebuildProjectionRoutes(dependencies, database.sql, source),
        logger,
        registry,
      });
      const before = await readModels();
      try {
        const response = await fetch(`${failing.url}/v1/ops/projections/orders/rebuild`, {
          method: 'POST',
          headers: { authorization: tokens['ops'] ?? '', 'idempotency-key': randomUUID() },
        });
        expect(response.status).toBe(503);
        expect(await readModels()).toEqual(before);
      } finally {
        await failing.close();
      }
    },
    60_000,
  );

  it('answers 400 without an Idempotency-Key', async () => {
    const response = await fetch(`${running.url}/v1/ops/projections/orders/rebuild`, {
      method: 'POST',
      headers: { authorization: tokens['ops'] ?? '' },
    });
    expect(response.status).toBe(400);
  });
});
