import { transaction } from '@atlas/db';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Admin, Kafka } from 'kafkajs';
import { loadStackConfig } from '@atlas/config';
import {
  createEvent,
  createEventCodec,
  registerSchemas,
  type AnyAtlasEvent,
  type EventCodec,
  type EventPayloads,
} from '@atlas/events';
import { PAYLOAD_FIXTURES, TEST_CONTEXT } from '@atlas/events/testing';
import { startTestApi, type ServiceTestApi } from '@atlas/http/testing';
import { createTestTopic, testKafka } from '@atlas/messaging/testing';
import { projectEvent } from '@atlas/reporting-domain';
import { rebuildProjectionRoutes } from './routes.ts';

// The live projection and the rebuild over the same events must give the same read models. The
// events go to two throwaway topics (as the saga's go to several domains'), keyed by order.
let api: ServiceTestApi;
let kafka: Kafka;
let admin: Admin;
let codec: EventCodec;
const topics: string[] = [];

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

const rebuildCall = (name: string, user = 'ops', key = randomUUID()) =>
  api.call('POST', `/v1/ops/projections/${name}/rebuild`, { user, key });

/** Both read models, without the columns that record when and in which order rows were written. */
async function readModels(): Promise<{ orders: readonly unknown[]; timeline: readonly unknown[] }> {
  return {
    orders: await api.sql`select * from report_orders order by order_id`,
    timeline: await api.sql`
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

    api = await startTestApi({
      name: 'rebuild-projection-test',
      service: 'reporting',
      routes: (dependencies, sql) =>
        rebuildProjectionRoutes(dependencies, sql, { kafka, codec, topics }),
      users: ['ops', 'admin', 'viewer', 'finance'],
    });

    // The live projection, as the projector sees it: one topic's events overtaking the other's,
    // and redeliveries.
    const arrival = [
      ...events.filter(({ topic }) => topic === 1),
      ...events.filter(({ topic }) => topic === 0),
      ...events.slice(0, 4),
    ];
    for (const { event } of arrival) {
      await transaction(api.sql, (tx) => projectEvent(tx, event));
    }
  }, 60_000);

  afterAll(async () => {
    await api.close();
    await admin.deleteTopics({ topics });
    await admin.disconnect();
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
    await api.sql`update report_orders set status = 'PENDING', customer_id = null`;
    await api.sql`delete from report_events where order_id = ${cancelledOrder}`;

    expect((await rebuildCall('orders', 'admin')).status).toBe(202);
    expect((await rebuildCall('timeline', 'admin')).status).toBe(202);

    expect(await readModels()).toEqual(live);
  }, 60_000);

  it('answers a repeated request with the first answer, without rebuilding again', async () => {
    const key = randomUUID();
    const first = await rebuildCall('orders', 'ops', key);
    await api.sql`update report_orders set status = 'PENDING'`;

    const second = await rebuildCall('orders', 'ops', key);

    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.text()).toBe(await first.text());
    expect(await api.sql`select 1 from report_orders where status <> 'PENDING'`).toHaveLength(0);
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
      const source = {
        kafka,
        codec: createEventCodec({ registryUrl, retries: 0 }),
        topics,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      };
      const failing = await api.serveAlso(
        'rebuild-projection-failing',
        rebuildProjectionRoutes(api.dependencies, api.sql, source),
      );
      const before = await readModels();
      try {
        const response = await failing.call('POST', '/v1/ops/projections/orders/rebuild', {
          user: 'ops',
          key: randomUUID(),
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
    const response = await api.call('POST', '/v1/ops/projections/orders/rebuild', {
      user: 'ops',
    });
    expect(response.status).toBe(400);
  });
});
