import type { Sql } from '@atlas/db';
import { offsetOf, type Page, type PageRequest } from '@atlas/http';
import { toLedgerLine, type LedgerLine, type LedgerLineRow } from './ledger.ts';

/** Which journal lines a listing shows: an order's, or every one. */
export interface LedgerFilter extends PageRequest {
  readonly orderId?: string | undefined;
}

/** A page of journal lines, oldest first, with the total that match the filter. */
export async function listLedgerLines(sql: Sql, filter: LedgerFilter): Promise<Page<LedgerLine>> {
  const where = filter.orderId === undefined ? sql`` : sql`where e.order_id = ${filter.orderId}`;
  const [counted] = await sql<{ total: number }[]>`
    select count(*)::int as total
    from ledger_lines l join ledger_entries e on e.entry_id = l.entry_id ${where}`;
  const rows = await sql<LedgerLineRow[]>`
    select e.entry_id, e.order_id, l.account, l.debit_cents, l.credit_cents, e.at
    from ledger_lines l join ledger_entries e on e.entry_id = l.entry_id ${where}
    order by e.at, l.line_id
    limit ${filter.pageSize} offset ${offsetOf(filter)}`;
  return {
    items: rows.map(toLedgerLine),
    page: filter.page,
    pageSize: filter.pageSize,
    total: counted?.total ?? 0,
  };
}
