import { createSql } from '@atlas/db';
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
  config: StackConfig,
  items: readonly DemoItem[] = DEMO_STOCK,
): Promise<StockLine[]> {
  const sql = createSql(config.postgres.databaseUrl('inventory'), {
    applicationName: 'atlas-demo-stock',
    max: 1,
  });
  try {
    for (const item of items)
      await sql`
        insert into inventory_items (sku, name, on_hand)
        values (${item.sku}, ${item.name}, ${item.onHand})
        on conflict (sku) do nothing`;
    return await sql<StockLine[]>`
      select sku, name, on_hand as "onHand", reserved from inventory_items
      where sku = any(${sql.array(items.map((item) => item.sku))}::text[])
      order by sku`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
