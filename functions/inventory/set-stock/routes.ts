import definition from './function.json' with { type: 'json' };
import { transaction, type Sql } from '@atlas/db';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import {
  fillBackorders,
  lockItemsForStockChange,
  skuParamsSchema,
  stageFilledBackorders,
  toItem,
  type ItemRow,
} from '@atlas/inventory-items';
import { assertCanSetStock, setStockBodySchema } from './set-stock.ts';

/**
 * `PUT /v1/inventory/items/:sku`: creates the item or sets its stock on hand (and name), then fills
 * the backorders the stock can now serve, oldest first, in the same transaction.
 */
export function setStockRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { params: skuParamsSchema, body: setStockBodySchema },
      outcomesStaged: true,
      handler: async ({ params, body, correlationId, stageOutcome }) =>
        transaction(sql, async (tx) => {
          // The locks keep a concurrent reservation from slipping between the check and the write.
          const items = await lockItemsForStockChange(tx, [params.sku]);
          assertCanSetStock(items.get(params.sku), body);
          await tx`
            insert into inventory_items (sku, name, on_hand)
            values (${params.sku}, ${body.name ?? ''}, ${body.onHand})
            on conflict (sku) do update set
              on_hand = excluded.on_hand,
              name = coalesce(${body.name ?? null}, inventory_items.name),
              updated_at = clock_timestamp()`;
          const filled = await fillBackorders(tx, [params.sku]);
          await stageFilledBackorders(tx, filled, { correlationId, causationId: correlationId });
          const [saved] = await tx<ItemRow[]>`
            select sku, name, on_hand, reserved from inventory_items where sku = ${params.sku}`;
          if (!saved) throw new Error('the upserted item is missing');
          const response = json(200, toItem(saved));
          await stageOutcome(tx, response);
          return response;
        }),
    },
    dependencies,
  );
}
