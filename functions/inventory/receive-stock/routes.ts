import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { NotFoundError } from '@atlas/errors';
import { createEvent } from '@atlas/events';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import {
  fillBackorders,
  findItem,
  lockItemsForStockChange,
  setOnHand,
  skuParamsSchema,
  stageFilledBackorders,
  toItem,
} from '@atlas/inventory-items';
import { appendEvent } from '@atlas/messaging';
import { receiptBodySchema, receiveStock } from './receive-stock.ts';

/**
 * `POST /v1/inventory/items/:sku/receipts`: adds stock, stages StockReceived, then fills the
 * backorders the new stock can serve, oldest first, each reported as InventoryReserved — all in one
 * transaction, so the events are published if and only if the stock changed.
 */
export function receiveStockRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { params: skuParamsSchema, body: receiptBodySchema },
      transactional: {
        sql,
        handler: async (tx, { params, body, correlationId }) => {
          const items = await lockItemsForStockChange(tx, [params.sku]);
          const current = items.get(params.sku);
          if (!current) throw new NotFoundError(`No inventory item ${params.sku}.`);
          const received = receiveStock(current, body.quantity);
          await setOnHand(tx, params.sku, received.row.on_hand);
          // The request is the root cause and its correlation id is the one id of it that the
          // caller (X-Correlation-Id) and our logs both know, so it is the causation id too.
          const cause = { correlationId, causationId: correlationId };
          await appendEvent(
            tx,
            createEvent('StockReceived', received.payload, { producer: 'inventory', ...cause }),
          );
          await stageFilledBackorders(tx, await fillBackorders(tx, [params.sku]), cause);
          const after = await findItem(tx, params.sku);
          if (!after) throw new Error('the received item is missing');
          const { sku, onHand, reserved, available } = toItem(after);
          return json(202, { sku, onHand, reserved, available });
        },
      },
    },
    dependencies,
  );
}
