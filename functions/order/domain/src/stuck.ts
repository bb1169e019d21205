import { z } from 'zod';
import type { Sql } from '@atlas/db';
import { offsetOf, pageQueryShape, type Page } from '@atlas/http';
import type { OrderRow } from './order-row.ts';

/** What an unsettled order waits for next, and which service owes it. */
export interface WaitingOn {
  readonly service: 'inventory' | 'billing' | 'workflow' | 'order';
  /** The event (or the person) the saga needs next. */
  readonly step: string;
  /** True for a wait the contract allows indefinitely: stock to arrive, an approver to decide. */
  readonly legitimate: boolean;
}

/** The step an order that is neither CONFIRMED nor CANCELLED waits on (ADR-0026's table). */
export function waitingOn(
  order: Pick<
    OrderRow,
    'status' | 'cancellation_reason' | 'inventory_released' | 'billing_compensation'
  >,
): WaitingOn {
  if (order.cancellation_reason !== null) {
    if (!order.inventory_released)
      return { service: 'inventory', step: 'InventoryReleased (compensation)', legitimate: false };
    if (order.billing_compensation === 'REQUESTED')
      return { service: 'billing', step: 'InvoiceVoided (compensation)', legitimate: false };
    return { service: 'order', step: 'OrderCancelled', legitimate: false };
  }
  return forwardStepOf(order.status);
}

/**
 * The forward step an order in `status` waits on, when it is not cancelling (ADR-0026's table);
 * also what a client that sees only the status (the `atlas` CLI) can tell.
 */
export function forwardStepOf(status: string): WaitingOn {
  switch (status) {
    case 'PENDING':
      return {
        service: 'inventory',
        step: 'InventoryReserved or InventoryBackordered',
        legitimate: false,
      };
    case 'BACKORDERED':
      return { service: 'inventory', step: 'stock to fill the backorder', legitimate: true };
    case 'INVENTORY_RESERVED':
      return { service: 'billing', step: 'InvoiceCreated', legitimate: false };
    case 'INVOICED':
      return { service: 'billing', step: 'PaymentSucceeded or PaymentFailed', legitimate: false };
    case 'PAID':
      return { service: 'workflow', step: 'ApprovalRequested', legitimate: false };
    case 'AWAITING_APPROVAL':
      return {
        service: 'workflow',
        step: 'an approver: ApprovalGranted or ApprovalRejected',
        legitimate: true,
      };
    default:
      return { service: 'order', step: 'OrderConfirmed', legitimate: false };
  }
}

/** Default age from which an unsettled order counts as stuck. */
export const STUCK_AFTER_SECONDS = 300;

/**
 * The query of `GET /v1/ops/stuck-orders`: orders unsettled for at least `olderThanSeconds`
 * (default 300) since their last step; legitimate waits (backorders, approvals) only with
 * `includeWaiting=true`.
 */
export const stuckOrdersQuerySchema = z.strictObject({
  ...pageQueryShape,
  olderThanSeconds: z
    .string()
    .regex(/^[1-9]\d{0,6}$/, 'a whole number of seconds, at least 1')
    .transform(Number)
    .pipe(z.int().max(2_592_000, 'at most 30 days'))
    .optional()
    .default(STUCK_AFTER_SECONDS),
  includeWaiting: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .default(false),
});

export type StuckOrdersQuery = z.infer<typeof stuckOrdersQuerySchema>;

/** The statuses an order ends in; every other one is a saga still under way. */
const SETTLED = ['CONFIRMED', 'CANCELLED'] as const;

/** A page of unsettled orders whose last step is older than the query's age, oldest first. */
export async function findStuckOrders(sql: Sql, query: StuckOrdersQuery): Promise<Page<OrderRow>> {
  const waiting = query.includeWaiting
    ? sql``
    : sql`and not (cancellation_reason is null and status in ('BACKORDERED', 'AWAITING_APPROVAL'))`;
  const where = sql`
    where status not in ${sql(SETTLED)}
      and updated_at < clock_timestamp() - make_interval(secs => ${query.olderThanSeconds})
      ${waiting}`;
  const items = await sql<OrderRow[]>`
    select * from orders ${where} order by updated_at, id
    limit ${query.pageSize} offset ${offsetOf(query)}`;
  const [count] = await sql<
    { total: number }[]
  >`select count(*)::int as total from orders ${where}`;
  return { items, page: query.page, pageSize: query.pageSize, total: count?.total ?? 0 };
}

/** Unsettled orders older than `seconds`, by status and whether their wait is legitimate: the gauge's source. */
export async function countUnsettled(
  sql: Sql,
  seconds: number,
): Promise<{ status: string; count: number }[]> {
  return sql<{ status: string; count: number }[]>`
    select case when cancellation_reason is not null then 'CANCELLING' else status end as status,
      count(*)::int as count
    from orders
    where status not in ${sql(SETTLED)}
      and updated_at < clock_timestamp() - make_interval(secs => ${seconds})
    group by 1`;
}
