import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { migrationSetsOf } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { createEvent, type AtlasEvent, type EventType } from '@atlas/events';
import {
  ordersBothReservedAndBackordered,
  stockInvariantViolations,
} from '@atlas/inventory-items/testing';
import { assertSameEventTypes, type EventFunctionDefinition } from '@atlas/messaging';
import { serveConsumer, type ConsumerUnderTest } from '@atlas/messaging/testing';
import { reservationsConsumer } from './reservations.ts';

let database: TestDatabase;
let consumer: ConsumerUnderTest;

const context = () => ({
  producer: 'order',
  correlationId: randomUUID(),
  causationId: randomUUID(),
});

function orderPlaced(lines: [string, number][], orderId: string = randomUUID()) {
  return createEvent(
    'OrderPlaced',
    {
      orderId,
      customerId: 'cust-0001',
      currency: 'EUR',
      lines: lines.map(([sku, quantity]) => ({ sku, quantity, unitPrice: '1.00' })),
      total: '1.00',
      paymentMethod: { type: 'card', token: 'tok_visa' },
    },
    context(),
  );
}

const releaseRequested = (orderId: string) =>
  createEvent('InventoryReleaseRequested', { orderId, reason: 'CUSTOMER_CANCELLED' }, context());

async function deliver(event: AtlasEvent): Promise<number> {
  const response = await consumer.deliver(event);
  await response.arrayBuffer();
  return response.status;
}

async function stockItem(sku: string, onHand: number): Promise<void> {
  await database.sql`insert into inventory_items (sku, name, on_hand) values (${sku}, ${sku}, ${onHand})`;
}

async function itemOf(sku: string): Promise<{ onHand: number; reserved: number }> {
  const [row] = await database.sql<{ onHand: number; reserved: number }[]>`
    select on_hand as "onHand", reserved from inventory_items where sku = ${sku}`;
  if (!row) throw new Error(`no item ${sku}`);
  return row;
}

async function emitted<T extends EventType>(orderId: string, type: T): Promise<AtlasEvent<T>[]> {
  const rows = await database.sql<{ event: AtlasEvent<T> }[]>`
    select event from atlas_outbox where aggregate_id = ${orderId} and event_type = ${type}
    order by id`;
  return rows.map((row) => row.event);
}

async function backorderStatus(orderId: string): Promise<string | undefined> {
  const [row] = await database.sql<{ status: string }[]>`
    select status from inventory_backorders where order_id = ${orderId}`;
  return row?.status;
}

describe('the reservations consumer', () => {
  beforeAll(async () => {
    database = await createTestDatabase(migrationSetsOf('inventory'));
    consumer = await serveConsumer(reservationsConsumer(), database.sql);
  });

  afterEach(async () => {
    expect(await stockInvariantViolations(database.sql)).toEqual([]);
    expect(await ordersBothReservedAndBackordered(database.sql)).toEqual([]);
  });

  afterAll(async () => {
    await consumer.close();
    await database.drop();
  });

  it('handles exactly the event types its catalog entry declares', () => {
    const definition = JSON.parse(
      readFileSync(new URL('function.json', import.meta.url), 'utf8'),
    ) as EventFunctionDefinition;
    expect(() => {
      assertSameEventTypes(definition, reservationsConsumer().eventTypes);
    }).not.toThrow();
  });

  it('reserves exactly the stock there is when 50 orders arrive at once for 20 units', async () => {
    await stockItem('SKU-RUSH', 20);
    const orders = Array.from({ length: 50 }, () => orderPlaced([['SKU-RUSH', 1]]));

    const statuses = await Promise.all(orders.map(deliver));

    expect(statuses).toEqual(orders.map(() => 200));
    const outcomes = await Promise.all(
      orders.map(async ({ payload: { orderId } }) => ({
        reserved: (await emitted(orderId, 'InventoryReserved')).length,
        backordered: (await emitted(orderId, 'InventoryBackordered')).length,
      })),
    );
    expect(outcomes.filter((o) => o.reserved === 1 && o.backordered === 0)).toHaveLength(20);
    expect(outcomes.filter((o) => o.reserved === 0 && o.backordered === 1)).toHaveLength(30);
    const [counts] = await database.sql<{ live: number; open: number }[]>`
      select (select count(*)::int from inventory_reservations where sku = 'SKU-RUSH' and status = 'RESERVED') as live,
             (select count(*)::int from inventory_backorders where status = 'OPEN'
                and order_id = any(${database.sql.array(orders.map((o) => o.payload.orderId))}::text[])) as open`;
    expect(counts).toEqual({ live: 20, open: 30 });
    const item = await itemOf('SKU-RUSH');
    expect(item).toEqual({ onHand: 20, reserved: 20 });
    expect(item.onHand - item.reserved).toBe(0);
  });

  it('reserves every line of an order, summing the lines of one SKU, and says so once', async () => {
    await stockItem('SKU-PAIR-A', 5);
    await stockItem('SKU-PAIR-B', 1);
    const event = orderPlaced([
      ['SKU-PAIR-B', 1],
      ['SKU-PAIR-A', 3],
      ['SKU-PAIR-A', 2],
    ]);

    expect(await deliver(event)).toBe(200);

    const [reserved] = await emitted(event.payload.orderId, 'InventoryReserved');
    expect(reserved).toMatchObject({
      producer: 'inventory',
      correlationId: event.correlationId,
      causationId: event.eventId,
      aggregateId: event.payload.orderId,
      payload: {
        orderId: event.payload.orderId,
        lines: [
          { sku: 'SKU-PAIR-A', quantity: 5 },
          { sku: 'SKU-PAIR-B', quantity: 1 },
        ],
      },
    });
    expect(await itemOf('SKU-PAIR-A')).toEqual({ onHand: 5, reserved: 5 });
    expect(await itemOf('SKU-PAIR-B')).toEqual({ onHand: 1, reserved: 1 });
  });

  it('backorders the whole order when one line is short, and reserves none of its lines', async () => {
    await stockItem('SKU-SOME-A', 5);
    await stockItem('SKU-SOME-B', 1);
    const event = orderPlaced([
      ['SKU-SOME-A', 2],
      ['SKU-SOME-B', 2],
    ]);

    expect(await deliver(event)).toBe(200);

    expect(await emitted(event.payload.orderId, 'InventoryReserved')).toEqual([]);
    const [backordered] = await emitted(event.payload.orderId, 'InventoryBackordered');
    expect(backordered?.payload).toEqual({
      orderId: event.payload.orderId,
      lines: [{ sku: 'SKU-SOME-B', requested: 2, available: 1 }],
    });
    expect(await itemOf('SKU-SOME-A')).toEqual({ onHand: 5, reserved: 0 });
    expect(await backorderStatus(event.payload.orderId)).toBe('OPEN');
  });

  it('backorders an order for a SKU it has never heard of', async () => {
    const event = orderPlaced([['SKU-NEVER-SEEN', 1]]);

    expect(await deliver(event)).toBe(200);

    const [backordered] = await emitted(event.payload.orderId, 'InventoryBackordered');
    expect(backordered?.payload.lines).toEqual([
      { sku: 'SKU-NEVER-SEEN', requested: 1, available: 0 },
    ]);
  });

  it('never reserves an order twice, whether its event is redelivered or placed again under a new event id', async () => {
    await stockItem('SKU-TWICE', 10);
    const event = orderPlaced([['SKU-TWICE', 2]]);
    const again = orderPlaced([['SKU-TWICE', 2]], event.payload.orderId);

    const statuses = [await deliver(event), await deliver(event), await deliver(again)];

    expect(statuses).toEqual([200, 200, 200]);
    expect(await emitted(event.payload.orderId, 'InventoryReserved')).toHaveLength(1);
    expect(await itemOf('SKU-TWICE')).toEqual({ onHand: 10, reserved: 2 });
  });

  it('releases an order exactly once, for a redelivered request and for a second request', async () => {
    await stockItem('SKU-FREE', 4);
    const placed = orderPlaced([['SKU-FREE', 3]]);
    await deliver(placed);
    const request = releaseRequested(placed.payload.orderId);
    const secondRequest = releaseRequested(placed.payload.orderId);

    const statuses = [await deliver(request), await deliver(request), await deliver(secondRequest)];

    expect(statuses).toEqual([200, 200, 200]);
    const released = await emitted(placed.payload.orderId, 'InventoryReleased');
    expect(released.map((event) => [event.causationId, event.payload])).toEqual([
      [
        request.eventId,
        {
          orderId: placed.payload.orderId,
          lines: [{ sku: 'SKU-FREE', quantity: 3 }],
          reason: 'CUSTOMER_CANCELLED',
        },
      ],
      [
        secondRequest.eventId,
        { orderId: placed.payload.orderId, lines: [], reason: 'CUSTOMER_CANCELLED' },
      ],
    ]);
    expect(await itemOf('SKU-FREE')).toEqual({ onHand: 4, reserved: 0 });
  });

  it('answers a release of an order it never saw with nothing released, and ignores its late placement', async () => {
    await stockItem('SKU-LATE', 4);
    const placed = orderPlaced([['SKU-LATE', 1]]);

    expect(await deliver(releaseRequested(placed.payload.orderId))).toBe(200);
    expect(await deliver(placed)).toBe(200);

    const [released] = await emitted(placed.payload.orderId, 'InventoryReleased');
    expect(released?.payload.lines).toEqual([]);
    expect(await emitted(placed.payload.orderId, 'InventoryReserved')).toEqual([]);
    expect(await emitted(placed.payload.orderId, 'InventoryBackordered')).toEqual([]);
    expect(await itemOf('SKU-LATE')).toEqual({ onHand: 4, reserved: 0 });
  });

  it('closes the backorder of a backordered order it is asked to release', async () => {
    await stockItem('SKU-WAIT', 0);
    const placed = orderPlaced([['SKU-WAIT', 1]]);
    await deliver(placed);

    expect(await deliver(releaseRequested(placed.payload.orderId))).toBe(200);

    expect(await backorderStatus(placed.payload.orderId)).toBe('CANCELLED');
    const [released] = await emitted(placed.payload.orderId, 'InventoryReleased');
    expect(released?.payload.lines).toEqual([]);
  });

  it('fills the oldest backorder that fits with the stock a release frees', async () => {
    await stockItem('SKU-PASS', 2);
    const holder = orderPlaced([['SKU-PASS', 2]]);
    const tooBig = orderPlaced([['SKU-PASS', 3]]);
    const waiting = orderPlaced([['SKU-PASS', 2]]);
    const younger = orderPlaced([['SKU-PASS', 2]]);
    for (const event of [holder, tooBig, waiting, younger]) await deliver(event);
    const request = releaseRequested(holder.payload.orderId);

    expect(await deliver(request)).toBe(200);

    const [reserved] = await emitted(waiting.payload.orderId, 'InventoryReserved');
    expect(reserved).toMatchObject({
      causationId: request.eventId,
      payload: { orderId: waiting.payload.orderId, lines: [{ sku: 'SKU-PASS', quantity: 2 }] },
    });
    expect(await backorderStatus(waiting.payload.orderId)).toBe('FILLED');
    expect(await backorderStatus(tooBig.payload.orderId)).toBe('OPEN');
    expect(await backorderStatus(younger.payload.orderId)).toBe('OPEN');
    expect(await emitted(younger.payload.orderId, 'InventoryReserved')).toEqual([]);
    expect(await itemOf('SKU-PASS')).toEqual({ onHand: 2, reserved: 2 });
  });
});
