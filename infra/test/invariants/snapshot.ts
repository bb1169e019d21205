import type { Sql } from '@atlas/db';
import { textArray, type ServiceDatabases } from './databases.ts';

/** Which orders to check; without ids, every order the order service knows. */
export interface InvariantScope {
  readonly orderIds?: readonly string[];
}

export interface OrderRow {
  readonly id: string;
  readonly status: string;
  readonly cancellationReason: string | null;
  readonly totalCents: bigint;
  readonly currency: string;
  readonly invoiceId: string | null;
  readonly approvalId: string | null;
  readonly skus: readonly string[];
}

export interface ItemRow {
  readonly sku: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly liveReserved: number;
}

export interface ReservationRow {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly status: string;
}

export interface InvoiceRow {
  readonly orderId: string;
  readonly invoiceId: string;
  readonly status: string;
  readonly amountCents: bigint;
}

export interface LedgerEntryRow {
  readonly entryId: string;
  readonly orderId: string;
  readonly kind: string;
  readonly lineCount: number;
  readonly debitCents: bigint;
  readonly creditCents: bigint;
}

export interface AccountBalanceRow {
  readonly orderId: string;
  readonly account: string;
  /** Debits minus credits. */
  readonly balanceCents: bigint;
}

export interface TimelineRow {
  readonly orderId: string;
  readonly eventType: string;
  readonly payload: { readonly lines?: readonly { sku: string; quantity: number }[] };
}

export interface InboxDuplicate {
  readonly service: string;
  readonly consumer: string;
  readonly eventId: string;
  readonly copies: number;
}

/** Everything the rules look at, read from the five databases; the rules themselves are pure. */
export interface Snapshot {
  readonly scopedIds: readonly string[] | undefined;
  readonly orders: readonly OrderRow[];
  readonly items: readonly ItemRow[];
  readonly reservations: readonly ReservationRow[];
  readonly backorders: readonly { orderId: string; status: string }[];
  readonly invoices: readonly InvoiceRow[];
  readonly payments: readonly { orderId: string; copies: number }[];
  readonly refunds: readonly { orderId: string; copies: number }[];
  readonly charges: readonly { orderId: string; copies: number }[];
  readonly ledgerEntries: readonly LedgerEntryRow[];
  readonly accountBalances: readonly AccountBalanceRow[];
  readonly approvals: readonly { orderId: string; status: string }[];
  readonly timeline: readonly TimelineRow[];
  readonly reportOrders: readonly { orderId: string; status: string }[];
  readonly inboxDuplicates: readonly InboxDuplicate[];
}

async function loadOrders(sql: Sql, scope: InvariantScope): Promise<OrderRow[]> {
  const filter = scope.orderIds
    ? sql`where id::text = any(${textArray(sql, [...scope.orderIds])})`
    : sql``;
  const rows = await sql<(Omit<OrderRow, 'totalCents'> & { totalCents: string })[]>`
    select id::text as id, status, cancellation_reason as "cancellationReason",
           total_cents::text as "totalCents", currency, invoice_id as "invoiceId",
           approval_id as "approvalId",
           array(select distinct line->>'sku' from jsonb_array_elements(lines) line) as skus
    from orders ${filter} order by created_at, id`;
  return rows.map((row) => ({ ...row, totalCents: BigInt(row.totalCents) }));
}

async function loadInventory(sql: Sql, ids: string[], skus: string[] | undefined) {
  const skuFilter = skus ? sql`where i.sku = any(${textArray(sql, skus)})` : sql``;
  const items = await sql<ItemRow[]>`
    select i.sku, i.on_hand as "onHand", i.reserved,
           coalesce(sum(r.quantity) filter (where r.status = 'RESERVED'), 0)::int as "liveReserved"
    from inventory_items i left join inventory_reservations r on r.sku = i.sku
    ${skuFilter} group by i.sku order by i.sku`;
  const reservations = await sql<ReservationRow[]>`
    select order_id as "orderId", sku, quantity, status from inventory_reservations
    where order_id = any(${textArray(sql, ids)})`;
  const backorders = await sql<{ orderId: string; status: string }[]>`
    select order_id as "orderId", status from inventory_backorders
    where order_id = any(${textArray(sql, ids)})`;
  return { items, reservations, backorders };
}

async function countsPerOrder(sql: Sql, table: string, ids: string[]) {
  return sql<{ orderId: string; copies: number }[]>`
    select order_id as "orderId", count(*)::int as copies from ${sql(table)}
    where order_id = any(${textArray(sql, ids)}) group by order_id`;
}

async function loadBilling(sql: Sql, ids: string[]) {
  const scoped = textArray(sql, ids);
  const invoices = await sql<(Omit<InvoiceRow, 'amountCents'> & { amountCents: string })[]>`
    select order_id as "orderId", invoice_id::text as "invoiceId", status,
           amount_cents::text as "amountCents"
    from invoices where order_id = any(${scoped})`;
  const entries = await sql<
    (Omit<LedgerEntryRow, 'debitCents' | 'creditCents'> & { debit: string; credit: string })[]
  >`
    select e.entry_id::text as "entryId", e.order_id as "orderId", e.kind,
           count(l.line_id)::int as "lineCount",
           coalesce(sum(l.debit_cents), 0)::text as debit,
           coalesce(sum(l.credit_cents), 0)::text as credit
    from ledger_entries e left join ledger_lines l on l.entry_id = e.entry_id
    where e.order_id = any(${scoped}) group by e.entry_id`;
  const balances = await sql<{ orderId: string; account: string; balance: string }[]>`
    select e.order_id as "orderId", l.account,
           sum(l.debit_cents - l.credit_cents)::text as balance
    from ledger_entries e join ledger_lines l on l.entry_id = e.entry_id
    where e.order_id = any(${scoped}) group by e.order_id, l.account`;
  return {
    invoices: invoices.map((row) => ({ ...row, amountCents: BigInt(row.amountCents) })),
    payments: await countsPerOrder(sql, 'payments', ids),
    refunds: await countsPerOrder(sql, 'refunds', ids),
    charges: await countsPerOrder(sql, 'card_charges', ids),
    ledgerEntries: entries.map(({ debit, credit, ...row }) => ({
      ...row,
      debitCents: BigInt(debit),
      creditCents: BigInt(credit),
    })),
    accountBalances: balances.map(({ balance, ...row }) => ({
      ...row,
      balanceCents: BigInt(balance),
    })),
  };
}

async function loadReporting(sql: Sql, ids: string[]) {
  const timeline = await sql<TimelineRow[]>`
    select order_id as "orderId", event_type as "eventType", payload from report_events
    where order_id = any(${textArray(sql, ids)}) order by occurred_at, seq`;
  const reportOrders = await sql<{ orderId: string; status: string }[]>`
    select order_id as "orderId", status from report_orders
    where order_id = any(${textArray(sql, ids)})`;
  return { timeline, reportOrders };
}

async function inboxDuplicates(databases: ServiceDatabases): Promise<InboxDuplicate[]> {
  const perService = await Promise.all(
    Object.entries(databases).map(
      async ([service, sql]) =>
        sql<InboxDuplicate[]>`
          select ${service} as service, consumer, event_id::text as "eventId",
                 count(*)::int as copies
          from atlas_inbox group by consumer, event_id having count(*) > 1`,
    ),
  );
  return perService.flat();
}

/** Reads the state of the scoped orders (and of the items they touch) from every service. */
export async function loadSnapshot(
  databases: ServiceDatabases,
  scope: InvariantScope = {},
): Promise<Snapshot> {
  const orders = await loadOrders(databases.order, scope);
  const ids = orders.map((order) => order.id);
  const skus = scope.orderIds ? [...new Set(orders.flatMap((order) => order.skus))] : undefined;
  const [inventory, billing, approvals, reporting, duplicates] = await Promise.all([
    loadInventory(databases.inventory, ids, skus),
    loadBilling(databases.billing, ids),
    databases.workflow<{ orderId: string; status: string }[]>`
      select order_id as "orderId", status from approvals
      where order_id = any(${textArray(databases.workflow, ids)})`,
    loadReporting(databases.reporting, ids),
    inboxDuplicates(databases),
  ]);
  return {
    scopedIds: scope.orderIds,
    orders,
    ...inventory,
    ...billing,
    approvals,
    ...reporting,
    inboxDuplicates: duplicates,
  };
}
