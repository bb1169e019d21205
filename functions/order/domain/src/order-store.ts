import { stage, type Sql, type TransactionSql } from '@atlas/db';
import type { OrderLine } from './order-body.ts';
import { isOrderId } from './order-body.ts';
import { toSagaState, type OrderRow } from './order-row.ts';
import type { SagaEmission, SagaState, SagaTransition } from './saga.ts';
import type { OrderStatus } from './status.ts';

type Queryable = Sql | TransactionSql;

const columns = (sql: Queryable) => sql`
  id, customer_id, currency, lines, total_cents::text as total_cents, status, cancellation_reason,
  reserved_ever, invoice_id, paid, approval_id, inventory_released, billing_compensation,
  created_at, updated_at`;

export interface NewOrder {
  readonly id: string;
  readonly customerId: string;
  readonly currency: string;
  readonly lines: readonly OrderLine[];
  readonly totalCents: bigint;
}

export async function insertOrder(tx: TransactionSql, order: NewOrder): Promise<OrderRow> {
  const lines = order.lines.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice }));
  const [row] = await tx<OrderRow[]>`
    insert into orders (id, customer_id, currency, lines, total_cents)
    values (${order.id}, ${order.customerId}, ${order.currency}, ${tx.json(lines)},
            ${order.totalCents.toString()})
    returning ${columns(tx)}`;
  if (!row) throw new Error(`inserting order ${order.id} returned no row`);
  return row;
}

/** The order, or undefined when there is none (a malformed id names none either). */
export async function findOrder(sql: Queryable, orderId: string): Promise<OrderRow | undefined> {
  if (!isOrderId(orderId)) return undefined;
  const [row] = await sql<OrderRow[]>`select ${columns(sql)} from orders where id = ${orderId}`;
  return row;
}

/** The order locked until the transaction ends: every saga step of one order runs one at a time. */
export async function lockOrder(
  tx: TransactionSql,
  orderId: string,
): Promise<OrderRow | undefined> {
  if (!isOrderId(orderId)) return undefined;
  const [row] = await tx<OrderRow[]>`
    select ${columns(tx)} from orders where id = ${orderId} for update`;
  return row;
}

/** The update that writes a saga state onto its (locked) order row. */
function sagaStateUpdate(tx: TransactionSql, state: SagaState, returning: boolean) {
  const cancellation = state.cancellation;
  return tx<OrderRow[]>`
    update orders set
      status = ${state.status},
      cancellation_reason = ${cancellation?.reason ?? null},
      reserved_ever = ${state.reservedEver},
      invoice_id = ${state.invoiceId},
      paid = ${state.paid},
      approval_id = ${state.approvalId},
      inventory_released = ${cancellation?.inventoryReleased ?? false},
      billing_compensation = ${cancellation?.billingCompensation ?? 'NONE'},
      updated_at = clock_timestamp()
    where id = ${state.orderId}
    ${returning ? tx`returning ${columns(tx)}` : tx``}`;
}

const serialised = (state: SagaState): string =>
  JSON.stringify(state, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );

const changes = (locked: OrderRow, transition: SagaTransition): boolean =>
  serialised(toSagaState(locked)) !== serialised(transition.state);

/**
 * Writes a saga step and stages its events in the caller's transaction, on the row locked by
 * {@link lockOrder}, and returns the row as written; a step that changes nothing leaves the row
 * (and its `updatedAt`) alone.
 */
export async function commitTransition(
  tx: TransactionSql,
  locked: OrderRow,
  transition: SagaTransition,
  emit: (emission: SagaEmission) => Promise<void>,
): Promise<OrderRow> {
  let row = locked;
  if (changes(locked, transition)) {
    const [written] = await sagaStateUpdate(tx, transition.state, true);
    if (!written) throw new Error(`order ${transition.state.orderId} vanished while locked`);
    row = written;
  }
  for (const emission of transition.emit) await emit(emission);
  return row;
}

/**
 * {@link commitTransition} for a caller that does not read the row back (the saga's consumer):
 * the update is staged, so it travels with the events and the COMMIT instead of costing a round
 * trip of its own.
 */
export async function stageTransition(
  tx: TransactionSql,
  locked: OrderRow,
  transition: SagaTransition,
  emit: (emission: SagaEmission) => Promise<void>,
): Promise<void> {
  if (changes(locked, transition)) await stage(tx, sagaStateUpdate(tx, transition.state, false));
  for (const emission of transition.emit) await emit(emission);
}

export interface OrderFilter {
  readonly status?: OrderStatus;
  readonly customerId?: string;
}

/** One page of orders, newest first, and how many match in all. */
export async function listOrders(
  sql: Sql,
  filter: OrderFilter,
  page: { readonly page: number; readonly pageSize: number },
): Promise<{ readonly rows: OrderRow[]; readonly total: number }> {
  const where = sql`
    where true
    ${filter.status === undefined ? sql`` : sql`and status = ${filter.status}`}
    ${filter.customerId === undefined ? sql`` : sql`and customer_id = ${filter.customerId}`}`;
  const [rows, [count]] = await Promise.all([
    sql<OrderRow[]>`
      select ${columns(sql)} from orders ${where}
      order by created_at desc, id desc
      limit ${page.pageSize} offset ${(page.page - 1) * page.pageSize}`,
    sql<{ total: number }[]>`select count(*)::int as total from orders ${where}`,
  ]);
  return { rows, total: count?.total ?? 0 };
}
