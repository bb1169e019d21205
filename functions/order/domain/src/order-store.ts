import type { Sql, TransactionSql } from '@atlas/db';
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

async function saveSagaState(tx: TransactionSql, state: SagaState): Promise<OrderRow> {
  const cancellation = state.cancellation;
  const [row] = await tx<OrderRow[]>`
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
    returning ${columns(tx)}`;
  if (!row) throw new Error(`order ${state.orderId} vanished while locked`);
  return row;
}

const serialised = (state: SagaState): string =>
  JSON.stringify(state, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );

/**
 * Writes a saga step and stages its events in the caller's transaction, on the row locked by
 * {@link lockOrder}; a step that changes nothing leaves the row (and its `updatedAt`) alone.
 */
export async function commitTransition(
  tx: TransactionSql,
  locked: OrderRow,
  transition: SagaTransition,
  emit: (emission: SagaEmission) => Promise<void>,
): Promise<OrderRow> {
  const changed = serialised(toSagaState(locked)) !== serialised(transition.state);
  const row = changed ? await saveSagaState(tx, transition.state) : locked;
  for (const emission of transition.emit) await emit(emission);
  return row;
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
