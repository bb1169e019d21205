import { createSql, type Sql } from '@atlas/db';
import type { StackConfig } from '@atlas/config';

export interface DemoItem {
  readonly sku: string;
  readonly name: string;
  readonly onHand: number;
}

/** The stock `npm start` seeds so the demo and a first curl have something to order. */
export const DEMO_STOCK: readonly DemoItem[] = [
  { sku: 'SKU-DEMO-1', name: 'Espresso cup', onHand: 500 },
  { sku: 'SKU-DEMO-2', name: 'Teapot', onHand: 200 },
  { sku: 'SKU-DEMO-3', name: 'Coffee grinder', onHand: 100 },
  { sku: 'SKU-DEMO-4', name: 'Industrial roaster', onHand: 20 },
  { sku: 'SKU-DEMO-5', name: 'Limited edition kettle', onHand: 3 },
];

export interface StockLine extends DemoItem {
  readonly reserved: number;
}

/**
 * Inserts the demo items that are missing and answers the demo items as they stand. `on conflict
 * do nothing`: a restart never resets stock that orders or people changed since.
 */
export async function seedDemoStock(
  sql: Sql,
  items: readonly DemoItem[] = DEMO_STOCK,
): Promise<StockLine[]> {
  const seeded: StockLine[] = [];
  for (const item of items) {
    await sql`
      insert into inventory_items (sku, name, on_hand)
      values (${item.sku}, ${item.name}, ${item.onHand})
      on conflict (sku) do nothing`;
    const [row] = await sql<StockLine[]>`
      select sku, name, on_hand as "onHand", reserved from inventory_items where sku = ${item.sku}`;
    if (row) seeded.push(row);
  }
  return seeded;
}

/** Seeds the running system's inventory database (`npm start`, the test set-up). */
export async function seedLocalDemoStock(config: StackConfig): Promise<StockLine[]> {
  const sql = createSql(config.postgres.databaseUrl('inventory'), {
    applicationName: 'atlas-demo-stock',
    max: 1,
  });
  try {
    return await seedDemoStock(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
