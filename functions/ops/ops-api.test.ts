import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Admin, Kafka } from 'kafkajs';
import { loadCatalog } from '@atlas/catalog';
import { loadStackConfig } from '@atlas/config';
import { createRedisClient } from '@atlas/idempotency';
import { removeKeys } from '@atlas/idempotency/testing';
import type { Redis } from 'ioredis';
import { createEventCodec, registerSchemas, type AtlasEvent } from '@atlas/events';
import { startTestApi, type TestApi } from '@atlas/http/testing';
import {
  deadLetterMessage,
  toHttpCloudEvent,
  type KafkaRecord,
} from '@atlas/infra-local/kafka-source';
import { cloudEventKafkaHeaders } from '@atlas/messaging';
import { orderPlaced, testKafka } from '@atlas/messaging/testing';
import type { DeadLetterSource } from '@atlas/messaging/dead-letters';
import { listDeadLettersRoutes } from './list-dead-letters/routes.ts';
import { redisRedrivenLedger } from '@atlas/messaging/dead-letters';
import { redriveDeadLettersRoutes } from './redrive-dead-letters/routes.ts';
import { replayDeadLetterRoutes } from './replay-dead-letter/routes.ts';

// The two ops functions' routes over two throwaway dead-letter topics, holding records written
// in the local KafkaSource's own dead-letter format; replays go to an in-process HTTP sink.
let kafka: Kafka;
let admin: Admin;
let api: TestApi;
let sink: Server;
let sinkUrl: string;
const received: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
/** The sink's answer per ce-id; 200 when not set. */
const sinkAnswers = new Map<string, number>();

function letters(): string {
  return randomUUID()
    .replaceAll('-', '')
    .replace(/\d/g, (digit) => 'ghijklmnop'.charAt(Number(digit)));
}
const orderDomain = `test${letters()}`;
const billingDomain = `test${letters()}`;
const dlqTopics = [`atlas.${orderDomain}.dlq.v1`, `atlas.${billingDomain}.dlq.v1`];

interface Failure {
  readonly event: AtlasEvent;
  readonly value: Buffer;
  readonly consumer: string;
  readonly sourceTopic: string;
  readonly sinkUrl: () => string;
  readonly status: number;
  readonly attempts: number;
  readonly failedAt: string;
  readonly dlq: string;
}

/** The record the source read, as it came from the relay. */
function sourceRecord(failure: Failure, offset: string): KafkaRecord {
  return {
    topic: failure.sourceTopic,
    partition: 1,
    offset,
    timestamp: String(Date.parse(failure.failedAt)),
    key: Buffer.from(failure.event.aggregateId),
    value: failure.value,
    headers: cloudEventKafkaHeaders(failure.event),
  };
}

const failures: Failure[] = [];
const sourceOffsets = ['17', '18', '4'];
let catalogEnv: Record<string, string>;

let redis: Redis;
const ledgerPrefix = `atlas:test:${randomUUID()}:redriven`;
const redrive = (body: unknown, user = 'ops') =>
  api.call('POST', '/v1/ops/dlq/replay', { user, key: randomUUID(), body });

const replay = (id: string, user = 'ops', key = randomUUID()) =>
  api.call('POST', `/v1/ops/dlq/${id}/replay`, { user, key });

interface Listed {
  id: string;
  eventId: string;
  consumer: string;
  error: { code: number; body: string };
}
interface ListPage {
  items: Listed[];
  page: number;
  pageSize: number;
  total: number;
}

describe('the dead-letter API', () => {
  beforeAll(async () => {
    const config = loadStackConfig();
    await registerSchemas({ registryUrl: config.schemaRegistry.url });
    const codec = createEventCodec({ registryUrl: config.schemaRegistry.url });
    sink = createServer((request, response) => {
      // The order service's get-order, as the bulk redrive's dry run asks it.
      if (request.method === 'GET' && request.url?.startsWith('/v1/orders/')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'INVENTORY_RESERVED' }));
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks) });
        const status = sinkAnswers.get(String(request.headers['ce-id'])) ?? 200;
        response.writeHead(status, { 'content-type': 'application/problem+json' });
        response.end(status >= 300 ? JSON.stringify({ title: 'still failing', status }) : '');
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;
    // A catalog consumer whose URL override points at the sink: replays go to where the catalog
    // says the function is now, not to the stale URL recorded when it failed.
    catalogEnv = {
      ATLAS_FUNCTION_URL_REPORTING_PROJECT_EVENTS: sinkUrl,
      ATLAS_FUNCTION_URL_ORDER_GET_ORDER: sinkUrl,
    };

    const events = [orderPlaced(), orderPlaced(), orderPlaced()];
    const values = await Promise.all(events.map((event) => codec.encode(event)));
    const [first, second, third] = events;
    const [firstValue, secondValue, thirdValue] = values;
    if (!first || !second || !third || !firstValue || !secondValue || !thirdValue)
      throw new Error('no events');
    failures.push(
      {
        event: first,
        value: firstValue,
        consumer: 'ops-test-sink',
        sourceTopic: 'atlas.order.events.v1',
        sinkUrl: () => sinkUrl,
        status: 503,
        attempts: 6,
        failedAt: '2026-11-28T10:00:00.000Z',
        dlq: dlqTopics[0] ?? '',
      },
      {
        event: second,
        value: secondValue,
        consumer: 'ops-test-sink',
        sourceTopic: 'atlas.order.events.v1',
        sinkUrl: () => sinkUrl,
        status: 422,
        attempts: 1,
        failedAt: '2026-11-28T11:00:00.000Z',
        dlq: dlqTopics[0] ?? '',
      },
      {
        event: third,
        value: thirdValue,
        consumer: 'project-events',
        sourceTopic: 'atlas.order.events.v1',
        sinkUrl: () => 'http://127.0.0.1:9/',
        status: 0,
        attempts: 6,
        failedAt: '2026-11-28T09:00:00.000Z',
        dlq: dlqTopics[1] ?? '',
      },
    );

    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: dlqTopics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
      waitForLeaders: true,
    });
    const producer = kafka.producer();
    await producer.connect();
    for (const [index, failure] of failures.entries()) {
      const message = deadLetterMessage({
        record: sourceRecord(failure, sourceOffsets[index] ?? '0'),
        result: {
          outcome: failure.status === 422 ? 'rejected' : 'exhausted',
          attempts: failure.attempts,
          status: failure.status,
          body: Buffer.from(JSON.stringify({ title: 'broken', status: failure.status })),
        },
        sinkUrl: failure.sinkUrl(),
        consumer: failure.consumer,
        failedAt: new Date(failure.failedAt),
      });
      await producer.send({ topic: failure.dlq, messages: [message] });
    }
    await producer.disconnect();

    const source: DeadLetterSource = { kafka, topics: dlqTopics };
    redis = await createRedisClient(loadStackConfig().redis.url);
    api = await startTestApi({
      name: 'ops-api-test',
      routes: (dependencies) => [
        ...listDeadLettersRoutes(dependencies, source),
        ...replayDeadLetterRoutes(dependencies, {
          source,
          catalog: loadCatalog(),
          env: catalogEnv,
          timeoutMs: 5_000,
        }),
        ...redriveDeadLettersRoutes(dependencies, {
          source,
          catalog: loadCatalog(),
          ledger: redisRedrivenLedger(redis, ledgerPrefix),
          env: catalogEnv,
          timeoutMs: 5_000,
        }),
      ],
      users: ['ops', 'admin', 'viewer', 'finance'],
    });
  }, 60_000);

  afterAll(async () => {
    await api.close();
    await new Promise((resolve) => sink.close(resolve));
    await admin.deleteTopics({ topics: dlqTopics });
    await removeKeys(redis, ledgerPrefix);
    redis.disconnect();
    await admin.disconnect();
  });

  describe('listing', () => {
    it('shows every dead letter, newest failure first, with its error, attempts and origin', async () => {
      const response = await api.call('GET', '/v1/ops/dlq', { user: 'ops' });

      expect(response.status).toBe(200);
      const page = (await response.json()) as ListPage;
      expect(page).toMatchObject({ page: 1, pageSize: 20, total: 3 });
      const [first, second, third] = failures;
      expect(page.items.map((item) => item.eventId)).toEqual([
        second?.event.eventId,
        first?.event.eventId,
        third?.event.eventId,
      ]);
      expect(page.items[0]).toEqual({
        id: `${orderDomain}-0-1`,
        eventId: second?.event.eventId,
        eventType: 'OrderPlaced',
        correlationId: second?.event.correlationId,
        consumer: 'ops-test-sink',
        topic: 'atlas.order.events.v1',
        partition: 1,
        offset: '18',
        attempts: 1,
        failedAt: '2026-11-28T11:00:00.000Z',
        error: { code: 422, body: JSON.stringify({ title: 'broken', status: 422 }) },
        deadLetter: { topic: dlqTopics[0], partition: 0, offset: '1' },
      });
      expect(page.items[2]).toMatchObject({
        id: `${billingDomain}-0-0`,
        consumer: 'project-events',
        error: { code: 0 },
      });
    });

    it('pages the dead letters and filters them by consumer', async () => {
      const second = (await (
        await api.call('GET', '/v1/ops/dlq?page=2&pageSize=2', { user: 'admin' })
      ).json()) as ListPage;
      expect(second).toMatchObject({ page: 2, pageSize: 2, total: 3 });
      expect(second.items.map((item) => item.id)).toEqual([`${billingDomain}-0-0`]);

      const filtered = (await (
        await api.call('GET', '/v1/ops/dlq?consumer=ops-test-sink', { user: 'ops' })
      ).json()) as ListPage;
      expect(filtered.total).toBe(2);
    });

    it.each([
      ['a page size over 100', '?pageSize=101'],
      ['an unknown parameter', '?topic=atlas.order.dlq.v1'],
    ])('answers 400 to %s', async (_case, query) => {
      expect((await api.call('GET', `/v1/ops/dlq${query}`, { user: 'ops' })).status).toBe(400);
    });
  });

  describe('replaying', () => {
    it('re-delivers the event to its consumer exactly as the KafkaSource sent it', async () => {
      const [first] = failures;
      if (!first) throw new Error('no failure');
      received.length = 0;

      const response = await replay(`${orderDomain}-0-0`);

      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({
        id: `${orderDomain}-0-0`,
        eventId: first.event.eventId,
        eventType: 'OrderPlaced',
        consumer: 'ops-test-sink',
        status: 'REPLAYED',
        consumerStatus: 200,
      });
      expect(received).toHaveLength(1);
      const original = toHttpCloudEvent(sourceRecord(first, '17'), 'ops-test-sink');
      expect(received[0]?.headers).toMatchObject(original.headers);
      expect(
        Object.keys(received[0]?.headers ?? {}).filter((name) => name.includes('knative')),
      ).toEqual([]);
      expect(received[0]?.body.equals(first.value)).toBe(true);
    });

    it("sends a catalog consumer's dead letter to where the catalog says it runs now", async () => {
      received.length = 0;
      const response = await replay(`${billingDomain}-0-0`, 'admin');
      expect(response.status).toBe(202);
      expect(received.map(({ headers }) => headers['ce-id'])).toEqual([failures[2]?.event.eventId]);
    });

    it("answers 502 with the consumer's status when it still refuses the event", async () => {
      const [, second] = failures;
      sinkAnswers.set(second?.event.eventId ?? '', 500);

      const response = await replay(`${orderDomain}-0-1`);

      expect(response.status).toBe(502);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await response.json()).toMatchObject({
        status: 502,
        code: 'ATLAS_REPLAY_REJECTED',
        consumerStatus: 500,
        consumerBody: JSON.stringify({ title: 'still failing', status: 500 }),
      });
    });

    it.each([
      ['an id of no configured topic', 'order-0-0'],
      ['an id of another form', 'not-an-id'],
    ])('answers 404 to %s', async (_case, id) => {
      const response = await replay(id);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    });

    it('answers 404 to an offset past the end of a known topic', async () => {
      expect((await replay(`${orderDomain}-0-99`)).status).toBe(404);
    });

    it('answers 400 without an Idempotency-Key', async () => {
      const response = await api.call('POST', `/v1/ops/dlq/${orderDomain}-0-0/replay`, {
        user: 'ops',
      });
      expect(response.status).toBe(400);
    });
  });

  describe('bulk redrive', () => {
    interface Redrive {
      dryRun: boolean;
      selected: number;
      delivered: number;
      wouldDeliver: number;
      alreadyRedriven: number;
      items: {
        id: string;
        eventId: string;
        orderId: string;
        orderStatus?: string;
        outcome: string;
      }[];
    }
    const third = (): Failure => {
      const failure = failures[2];
      if (!failure) throw new Error('no failure');
      return failure;
    };

    it("answers in a dry run what would be delivered and each order's status, delivering nothing", async () => {
      received.length = 0;

      const response = await redrive({ consumer: 'project-events', dryRun: true });

      expect(response.status).toBe(200);
      const body = (await response.json()) as Redrive;
      expect(body).toMatchObject({ dryRun: true, selected: 1, wouldDeliver: 1, delivered: 0 });
      expect(body.items).toEqual([
        expect.objectContaining({
          id: `${billingDomain}-0-0`,
          eventId: third().event.eventId,
          orderId: third().event.aggregateId,
          orderStatus: 'INVENTORY_RESERVED',
          outcome: 'would-deliver',
        }),
      ]);
      expect(received).toHaveLength(0);
    });

    it('delivers the selection once; a second redrive of it delivers nothing', async () => {
      received.length = 0;

      const first = (await (await redrive({ consumer: 'project-events' })).json()) as Redrive;
      const second = (await (await redrive({ consumer: 'project-events' })).json()) as Redrive;
      const dryAfter = (await (
        await redrive({ consumer: 'project-events', dryRun: true })
      ).json()) as Redrive;

      expect(first).toMatchObject({ dryRun: false, selected: 1, delivered: 1 });
      expect(second).toMatchObject({ selected: 1, delivered: 0, alreadyRedriven: 1, items: [] });
      expect(dryAfter).toMatchObject({ selected: 1, wouldDeliver: 0, alreadyRedriven: 1 });
      expect(received.map(({ headers }) => headers['ce-id'])).toEqual([third().event.eventId]);
    });

    it('narrows by event type and failure time, oldest failure first', async () => {
      const response = await redrive({
        eventType: 'OrderPlaced',
        from: '2026-11-28T09:30:00Z',
        to: '2026-11-28T12:00:00Z',
        dryRun: true,
      });
      const body = (await response.json()) as Redrive;
      expect(body.items.map((item) => item.id)).toEqual([
        `${orderDomain}-0-0`,
        `${orderDomain}-0-1`,
      ]);
    });

    it.each([
      ['no selector', {}],
      ['an unknown field', { consumer: 'project-events', everything: true }],
      [
        'a window that ends before it starts',
        { from: '2026-11-28T12:00:00Z', to: '2026-11-28T09:00:00Z' },
      ],
    ])('answers 400 to %s', async (_case, body) => {
      const response = await redrive(body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    });
  });

  describe('who may operate', () => {
    it.each(['viewer', 'finance'])('answers 403 to %s on every route', async (user) => {
      expect((await api.call('GET', '/v1/ops/dlq', { user })).status).toBe(403);
      expect((await replay(`${orderDomain}-0-0`, user)).status).toBe(403);
      expect((await redrive({ consumer: 'project-events' }, user)).status).toBe(403);
    });

    it('answers 401 without a token', async () => {
      expect((await api.call('GET', '/v1/ops/dlq')).status).toBe(401);
    });
  });
});
