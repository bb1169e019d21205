import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { toLedgerLine, type LedgerLineRow } from '@atlas/billing-domain';
import { declaredRoute, json, type Route } from '@atlas/http';
import type { HttpRouteDependencies } from '@atlas/http';
import { ledgerQuerySchema } from './ledger-query.ts';

/** `GET /v1/ledger?orderId=&page=&pageSize=`: journal lines, oldest first, in the contract's list shape. */
export function listLedgerRoutes(dependencies: HttpRouteDependencies, sql: Sql): Route[] {
  return declaredRoute(
    definition,
    {
      schemas: { query: ledgerQuerySchema },
      handler: async ({ query }) => {
        const filter =
          query.orderId === undefined ? sql`` : sql`where e.order_id = ${query.orderId}`;
        const [counted] = await sql<{ total: number }[]>`
          select count(*)::int as total
          from ledger_lines l join ledger_entries e on e.entry_id = l.entry_id ${filter}`;
        const rows = await sql<LedgerLineRow[]>`
          select e.entry_id, e.order_id, l.account, l.debit_cents, l.credit_cents, e.at
          from ledger_lines l join ledger_entries e on e.entry_id = l.entry_id ${filter}
          order by e.at, l.line_id
          limit ${query.pageSize} offset ${(query.page - 1) * query.pageSize}`;
        return json(200, {
          items: rows.map(toLedgerLine),
          page: query.page,
          pageSize: query.pageSize,
          total: counted?.total ?? 0,
        });
      },
    },
    dependencies,
  );
}
