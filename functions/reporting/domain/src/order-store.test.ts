import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { migrationSetsOf, transaction } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { createEvent, type AnyAtlasEvent } from '@atlas/events';
import { PAYLOAD_FIXTURES, TEST_CONTEXT } from '@atlas/events/testing';
import { projectEvent } from './order-store.ts';

let database: TestDatabase;

const placed = (orderId: string): AnyAtlasEvent =>
  createEvent('OrderPlaced', { ...PAYLOAD_FIXTURES.OrderPlaced, orderId }, TEST_CONTEXT);
const reserved = (orderId: string): AnyAtlasEvent =>
  createEvent(
    'InventoryReserved',
    { ...PAYLOAD_FIXTURES.InventoryReserved, orderId },
    { ...TEST_CONTEXT, producer: 'inventory' },
  );

const project = (event: AnyAtlasEvent): Promise<boolean> =>
  transaction(database.sql, (tx) => projectEvent(tx, event));

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
    expect(await project(event)).toBe(true);
    const first = await orderRow(orderId);
    expect(await project(event)).toBe(false);
    expect(await orderRow(orderId)).toEqual(first);
    const [count] = await database.sql<{ n: number }[]>`
      select count(*)::int as n from report_events where order_id = ${orderId}`;
    expect(count?.n).toBe(1);
  });

  it("keeps both of two events of one order projected at once (neither overwrites the other's change)", async () => {
    const orderIds = Array.from({ length: 12 }, () => randomUUID());
    // Each order's two events race, on connections of their own.
    await Promise.all(orderIds.flatMap((id) => [project(reserved(id)), project(placed(id))]));
    for (const orderId of orderIds) {
      expect(await orderRow(orderId)).toEqual({
        status: 'INVENTORY_RESERVED',
        customer_id: PAYLOAD_FIXTURES.OrderPlaced.customerId,
      });
    }
  });
});
