import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { listLedgerLines } from '@atlas/billing-domain';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { ledgerQuerySchema } from './ledger-query.ts';

/** `GET /v1/ledger?orderId=&page=&pageSize=`: journal lines, oldest first, in the contract's list shape. */
export function listLedgerRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { query: ledgerQuerySchema },
      handler: async ({ query }) => json(200, await listLedgerLines(sql, query)),
    },
    dependencies,
  );
}
