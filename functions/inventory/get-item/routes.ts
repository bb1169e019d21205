import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { NotFoundError } from '@atlas/errors';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { findItem, skuParamsSchema, toItem } from '@atlas/inventory-items';

/** `GET /v1/inventory/items/:sku`: the item's stock, or 404. */
export function getItemRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { params: skuParamsSchema },
      handler: async ({ params }) => {
        const row = await findItem(sql, params.sku);
        if (!row) throw new NotFoundError(`No inventory item ${params.sku}.`);
        return json(200, toItem(row));
      },
    },
    dependencies,
  );
}
