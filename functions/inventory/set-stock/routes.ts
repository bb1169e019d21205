import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import {
  fillBackorders,
  findItem,
  lockItemsForStockChange,
  skuParamsSchema,
  stageFilledBackorders,
  toItem,
  upsertItem,
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
      transactional: {
        sql,
        handler: async (tx, { params, body, correlationId }) => {
          // The locks keep a concurrent reservation from slipping between the check and the write.
          const items = await lockItemsForStockChange(tx, [params.sku]);
          assertCanSetStock(items.get(params.sku), body);
          await upsertItem(tx, params.sku, body);
          const filled = await fillBackorders(tx, [params.sku]);
          await stageFilledBackorders(tx, filled, { correlationId, causationId: correlationId });
          const saved = await findItem(tx, params.sku);
          if (!saved) throw new Error('the upserted item is missing');
          return json(200, toItem(saved));
        },
      },
    },
    dependencies,
  );
}
