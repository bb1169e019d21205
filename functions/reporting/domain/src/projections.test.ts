import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { migrationSetsOf, transaction } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { createEvent, type AnyAtlasEvent } from '@atlas/events';
import { PAYLOAD_FIXTURES, TEST_CONTEXT } from '@atlas/events/testing';
import { projectEvent } from './order-store.ts';
import { rebuildProjection } from './projections.ts';

let database: TestDatabase;

const placed = (orderId: string): AnyAtlasEvent =>
  createEvent('OrderPlaced', { ...PAYLOAD_FIXTURES.OrderPlaced, orderId }, TEST_CONTEXT);
const reserved = (orderId: string): AnyAtlasEvent =>
  createEvent(
    'InventoryReserved',
    { ...PAYLOAD_FIXTURES.InventoryReserved, orderId },
    { ...TEST_CONTEXT, producer: 'inventory' },
  );

const live = (event: AnyAtlasEvent) => transaction(database.sql, (tx) => projectEvent(tx, event));

const ordersNow = () =>
  database.sql`select order_id, status, customer_id from report_orders order by order_id`;

describe('rebuilding a projection', () => {
  beforeAll(async () => {
    database = await createTestDatabase(migrationSetsOf('reporting'));
  });
  afterAll(() => database.drop());

  it('never stalls the live projector or readers, and ends equal to the live projection', async () => {
    // Prepare: two orders projected live; the topics hold the same events.
    const [first, second] = [randomUUID(), randomUUID()];
    const topics = [placed(first), reserved(first), placed(second)];
    for (const event of topics) await live(event);
    let resume: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => {
      resume = resolve;
    });
    let halfWay: () => void = () => undefined;
    const replaying = new Promise<void>((resolve) => {
      halfWay = resolve;
    });

    // Act: the rebuild stops half-way through the topics; meanwhile the live projector goes on
    // with an event that came after the topics were read (so the replay does not hold it).
    const rebuilding = rebuildProjection(database.sql, 'orders', async (apply) => {
      const [head, ...rest] = topics;
      if (head) await apply(head);
      halfWay();
      await paused;
      for (const event of rest) await apply(event);
    });
    await replaying;
    const late = reserved(second);
    const started = Date.now();
    await live(late);
    const readable = await ordersNow();
    const liveTookMs = Date.now() - started;
    const expected = await ordersNow();
    resume();
    await rebuilding;

    // Assess: the live write and the read did not wait for the rebuild; the late event, which
    // was never in its replay, is in the rebuilt table all the same.
    expect(liveTookMs).toBeLessThan(2_000);
    expect(readable).toHaveLength(2);
    expect(await ordersNow()).toEqual(expected);
    expect(
      (await database.sql`select status from report_orders where order_id = ${second}`)[0],
    ).toEqual({ status: 'INVENTORY_RESERVED' });
  });

  it('refuses a second rebuild of the same projection while one runs', async () => {
    let resume: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => {
      resume = resolve;
    });
    let running: () => void = () => undefined;
    const replaying = new Promise<void>((resolve) => {
      running = resolve;
    });
    // The replay starts only once the first rebuild holds its lock.
    const first = rebuildProjection(database.sql, 'timeline', () => {
      running();
      return paused;
    });
    await replaying;

    await expect(
      rebuildProjection(database.sql, 'timeline', async () => undefined),
    ).rejects.toThrow(/being rebuilt already/);
    resume();
    await first;
  });
});

async function orderRow(orderId: string) {
  const [row] = await database.sql<{ status: string; customer_id: string | null }[]>`
    select status, customer_id from report_orders where order_id = ${orderId}`;
  return row;
}

describe('projecting a saga event live', () => {
  beforeAll(async () => {
    database = await createTestDatabase(migrationSetsOf('reporting'));
  });
  afterAll(() => database.drop());

  it('applies an event once: the second time it is in the timeline already and changes nothing', async () => {
    const orderId = randomUUID();
    const event = placed(orderId);
    expect(await live(event)).toBe(true);
    const first = await orderRow(orderId);
    expect(await live(event)).toBe(false);
    expect(await orderRow(orderId)).toEqual(first);
    const [count] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from report_events where order_id = ${orderId}`;
    expect(count?.n).toBe(1);
  });

  it("keeps both of two events of one order projected at once (neither overwrites the other's change)", async () => {
    const orderIds = Array.from({ length: 12 }, () => randomUUID());
    // Each order's two events race, on connections of their own.
    await Promise.all(orderIds.flatMap((id) => [live(reserved(id)), live(placed(id))]));
    for (const orderId of orderIds) {
      expect(await orderRow(orderId)).toEqual({
        status: 'INVENTORY_RESERVED',
        customer_id: PAYLOAD_FIXTURES.OrderPlaced.customerId,
      });
    }
  });
});
