import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadStackConfig } from '@atlas/config';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { ConflictError, DependencyUnavailableError } from '@atlas/errors';
import { createEventCodec, registerSchemas, type AtlasEvent, type EventCodec } from '@atlas/events';
import { serve, type RunningFunction } from '@atlas/http';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { cloudEventKafkaHeaders, eventFunction } from './index.ts';
import { orderPlaced } from './testing/index.ts';

const logger = createLogger({ service: 'test', function: 'reserve-test', level: 'silent' });
const registry = createMetricsRegistry({ service: 'test', function: 'reserve-test' });
const failures = new Map<string, Error>();
/** Orders whose handler refuses a second delivery, as the saga refuses a state it already left. */
const refuseRedelivery = new Set<string>();
let database: TestDatabase;
let codec: EventCodec;
let running: RunningFunction;

/** Delivers like a KafkaSource: binary mode, the record's ce_ headers as ce- headers, value as body. */
async function deliver(
  event: AtlasEvent,
  overrides: Record<string, string | undefined> = {},
  body?: Buffer,
): Promise<Response> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...cloudEventKafkaHeaders(event), ...overrides })) {
    if (value !== undefined) headers[name.replace(/^ce_/, 'ce-')] = value;
  }
  return fetch(`${running.url}/`, {
    method: 'POST',
    headers,
    body: body ?? (await codec.encode(event)),
  });
}

async function rowsOf(
  orderId: string,
): Promise<{ effects: number; inbox: number; outbox: { event: AtlasEvent }[] }> {
  const [effects] = await database.sql<
    { n: number }[]
  >`select count(*)::int as n from reservations_probe where order_id = ${orderId}`;
  const [inbox] = await database.sql<{ n: number }[]>`
    select count(*)::int as n from atlas_inbox i join reservations_probe r on r.event_id = i.event_id where r.order_id = ${orderId}`;
  const outbox = await database.sql<
    { event: AtlasEvent }[]
  >`select event from atlas_outbox where aggregate_id = ${orderId}`;
  return { effects: effects?.n ?? 0, inbox: inbox?.n ?? 0, outbox };
}

describe('an event function', () => {
  beforeAll(async () => {
    const registryUrl = loadStackConfig().schemaRegistry.url;
    await registerSchemas({ registryUrl });
    codec = createEventCodec({ registryUrl });
    database = await createTestDatabase();
    await database.sql`create table reservations_probe (order_id text not null, event_id uuid not null)`;
    const handle = eventFunction(
      {
        name: 'reserve-test',
        service: 'inventory',
        eventTypes: ['OrderPlaced'],
        handle: async (tx, event, { emit }) => {
          const failure = failures.get(event.payload.orderId);
          if (refuseRedelivery.has(event.payload.orderId)) {
            const [done] =
              await tx`select 1 from reservations_probe where event_id = ${event.eventId}`;
            if (done) throw new ConflictError('this order is already reserved');
          }
          await tx`insert into reservations_probe (order_id, event_id) values (${event.payload.orderId}, ${event.eventId})`;
          if (failure) throw failure;
          await emit('InventoryReserved', {
            orderId: event.payload.orderId,
            lines: event.payload.lines.map(({ sku, quantity }) => ({ sku, quantity })),
          });
        },
      },
      { sql: database.sql, codec, logger, registry },
    );
    running = await serve({
      name: 'reserve-test',
      routes: [{ method: 'POST', route: '/', handle }],
      logger,
      registry,
    });
  });

  afterAll(async () => {
    await running.close();
    await database.drop();
  });

  it('applies an event delivered three times exactly once, and emits its follow-up in the same transaction', async () => {
    const event = orderPlaced();

    const statuses = [
      (await deliver(event)).status,
      (await deliver(event)).status,
      (await deliver(event)).status,
    ];

    expect(statuses).toEqual([200, 200, 200]);
    const rows = await rowsOf(event.payload.orderId);
    expect(rows.effects).toBe(1);
    expect(rows.inbox).toBe(1);
    expect(rows.outbox).toHaveLength(1);
    expect(rows.outbox[0]?.event).toMatchObject({
      eventType: 'InventoryReserved',
      producer: 'inventory',
      correlationId: event.correlationId,
      causationId: event.eventId,
      aggregateId: event.payload.orderId,
    });
  });

  it('answers a redelivery its handler refuses (the state has moved on) as a duplicate, not a failure', async () => {
    const event = orderPlaced();
    refuseRedelivery.add(event.payload.orderId);

    const statuses = [(await deliver(event)).status, (await deliver(event)).status];

    expect(statuses).toEqual([200, 200]);
    expect((await rowsOf(event.payload.orderId)).effects).toBe(1);
    const handled = await registry.getSingleMetric('atlas_events_handled_total')?.get();
    expect(
      handled?.values.find(
        (value) =>
          value.labels['outcome'] === 'duplicate' && value.labels['eventType'] === 'OrderPlaced',
      )?.value,
    ).toBeGreaterThanOrEqual(1);
  });

  it("takes an event as OpenFaaS's Kafka connector sends it: the record's headers as X-Kafka-<header>", async () => {
    const event = orderPlaced();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(cloudEventKafkaHeaders(event)))
      headers[name === 'content-type' ? name : `X-Kafka-${name}`] = value;

    const response = await fetch(`${running.url}/`, {
      method: 'POST',
      headers: { ...headers, 'X-Topic': 'atlas.order.events.v1' },
      body: await codec.encode(event),
    });

    expect(response.status).toBe(200);
    expect((await rowsOf(event.payload.orderId)).effects).toBe(1);
  });

  it('answers 200 to an event type it does not handle, and does nothing', async () => {
    const event = orderPlaced();
    const response = await deliver(event, { ce_type: 'OrderConfirmed' });
    expect(response.status).toBe(200);
    expect((await rowsOf(event.payload.orderId)).effects).toBe(0);
  });

  it.each([
    ['without the required CloudEvent attributes', { ce_source: undefined }, undefined],
    ['with an unsupported specversion', { ce_specversion: '0.3' }, undefined],
    ['whose body is not an Avro event', {}, Buffer.from('not avro at all')],
    ['whose ce-id disagrees with the event', { ce_id: randomUUID() }, undefined],
  ])(
    'rejects an event %s with 400, which the source dead-letters at once',
    async (_case, overrides, body) => {
      const event = orderPlaced();
      const response = await deliver(event, overrides, body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect((await rowsOf(event.payload.orderId)).effects).toBe(0);
    },
  );

  it('answers a permanent failure with 422 (never a status the source retries) and keeps nothing', async () => {
    const event = orderPlaced();
    failures.set(event.payload.orderId, new ConflictError('stock record is locked for audit'));

    const response = await deliver(event);

    expect(response.status).toBe(422);
    expect(await rowsOf(event.payload.orderId)).toEqual({ effects: 0, inbox: 0, outbox: [] });
  });

  it('answers a transient failure with 5xx, keeps nothing, and applies the event when it is delivered again', async () => {
    const event = orderPlaced();
    failures.set(
      event.payload.orderId,
      new DependencyUnavailableError('warehouse system timed out'),
    );

    const first = await deliver(event);
    const nothing = await rowsOf(event.payload.orderId);
    failures.delete(event.payload.orderId);
    const second = await deliver(event);

    expect(first.status).toBe(503);
    expect(nothing).toEqual({ effects: 0, inbox: 0, outbox: [] });
    expect(second.status).toBe(200);
    expect((await rowsOf(event.payload.orderId)).effects).toBe(1);
  });
});
