import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { migrationSetsOf } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { DEMO_STOCK, seedDemoStock } from './demo-stock.ts';

describe('the demo stock', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(migrationSetsOf('inventory'));
  });

  afterAll(async () => {
    await database.drop();
  });

  it('seeds every demo item with its name and quantity, nothing reserved', async () => {
    const seeded = await seedDemoStock(database.sql);
    expect(seeded).toEqual(DEMO_STOCK.map((item) => ({ ...item, reserved: 0 })));
  });

  it('never resets stock that changed since: a second seed leaves it as it is', async () => {
    await database.sql`update inventory_items set on_hand = 7, reserved = 2 where sku = 'SKU-DEMO-1'`;
    const seeded = await seedDemoStock(database.sql);
    expect(seeded[0]).toEqual({ sku: 'SKU-DEMO-1', name: 'Espresso cup', onHand: 7, reserved: 2 });
  });
});
