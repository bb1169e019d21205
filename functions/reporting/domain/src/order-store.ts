import { stage, type TransactionSql } from '@atlas/db';
import type { AnyAtlasEvent, CancellationReason } from '@atlas/events';
import { emptyOrderView, orderIdOf, projectOrder, type OrderView } from './order-projection.ts';
import type { OrderStatus } from './order-status.ts';

/** A `report_orders` row as postgres.js reads it. */
export interface OrderRow {
  readonly order_id: string;
  readonly status: OrderStatus;
  readonly customer_id: string | null;
  readonly currency: string | null;
  readonly total_cents: string | null;
  readonly invoice_id: string | null;
  readonly approval_id: string | null;
  readonly cancellation_reason: CancellationReason | null;
  readonly placed_at: Date | null;
  readonly first_event_at: Date;
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly confirmed_at: Date | null;
  readonly cancelled_at: Date | null;
}

/** The read models' tables; a rebuild fills a shadow of one and swaps it in. */
export const ORDERS_TABLE = 'report_orders';
export const TIMELINE_TABLE = 'report_events';

/** A `report_events` row as postgres.js reads it. */
export interface TimelineRow {
  readonly event_id: string;
  readonly order_id: string;
  readonly event_type: string;
  readonly occurred_at: Date;
  readonly correlation_id: string;
  readonly causation_id: string;
  readonly producer: string;
  readonly payload: unknown;
  readonly seq: string;
}

/** The event a timeline row recorded, as the projections read it (payload as reporting keeps it). */
export function eventOfTimelineRow(row: TimelineRow): AnyAtlasEvent {
  return {
    eventId: row.event_id,
    eventType: row.event_type,
    eventVersion: 1,
    occurredAt: row.occurred_at.toISOString(),
    producer: row.producer,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    aggregateType: 'Order',
    aggregateId: row.order_id,
    payload: row.payload,
  } as AnyAtlasEvent;
}

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

function viewOf(row: OrderRow): OrderView {
  return {
    orderId: row.order_id,
    status: row.status,
    customerId: row.customer_id,
    currency: row.currency,
    totalCents: row.total_cents === null ? null : BigInt(row.total_cents),
    invoiceId: row.invoice_id,
    approvalId: row.approval_id,
    cancellationReason: row.cancellation_reason,
    placedAt: iso(row.placed_at),
    firstEventAt: row.first_event_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    confirmedAt: iso(row.confirmed_at),
    cancelledAt: iso(row.cancelled_at),
  };
}

// Two events of one order may be projected at once (they come from different topics); the lock
// serialises them so neither overwrites the other's change. The first key keeps the namespace
// apart from any other advisory lock of the database.
const ORDER_LOCK_NAMESPACE = 4150;

/**
 * Sends the order's lock and the read of its row together: PostgreSQL takes the lock, then runs
 * the read with a snapshot taken after it. Resolves to the row, if the order has one yet.
 */
function readLocked(
  tx: TransactionSql,
  orderId: string,
  table: string,
): Promise<OrderRow | undefined> {
  const locked =
    tx`select pg_advisory_xact_lock(${ORDER_LOCK_NAMESPACE}, hashtext(${orderId}))`.execute();
  const read = tx<OrderRow[]>`select * from ${tx(table)} where order_id = ${orderId}`.execute();
  return Promise.all([locked, read]).then(([, rows]) => rows[0]);
}

/** Projects `event` onto the order's row as read, and stages the row's upsert. */
async function writeProjected(
  tx: TransactionSql,
  event: AnyAtlasEvent,
  orderId: string,
  row: OrderRow | undefined,
  table: string,
): Promise<void> {
  const view = projectOrder(row ? viewOf(row) : emptyOrderView(orderId, event.occurredAt), event);
  const total = view.totalCents === null ? null : view.totalCents.toString();
  // Nothing reads it back: it travels with the transaction's next statement or its COMMIT.
  await stage(
    tx,
    tx`
    insert into ${tx(table)} (
      order_id, status, customer_id, currency, total_cents, invoice_id, approval_id,
      cancellation_reason, placed_at, first_event_at, updated_at, confirmed_at, cancelled_at
    ) values (
      ${view.orderId}, ${view.status}, ${view.customerId}, ${view.currency}, ${total}::bigint,
      ${view.invoiceId}, ${view.approvalId}, ${view.cancellationReason}, ${view.placedAt},
      ${view.firstEventAt}, ${view.updatedAt}, ${view.confirmedAt}, ${view.cancelledAt}
    )
    on conflict (order_id) do update set
      status = excluded.status, customer_id = excluded.customer_id, currency = excluded.currency,
      total_cents = excluded.total_cents, invoice_id = excluded.invoice_id,
      approval_id = excluded.approval_id, cancellation_reason = excluded.cancellation_reason,
      placed_at = excluded.placed_at, first_event_at = excluded.first_event_at,
      updated_at = excluded.updated_at, confirmed_at = excluded.confirmed_at,
      cancelled_at = excluded.cancelled_at`,
  );
}

/**
 * Applies a saga event to the orders read model in `tx`: reads the order's row (locked), projects
 * the event onto it and writes it back. Applying an event twice leaves the same row.
 * Does nothing for an event of no order.
 */
export async function applyToOrders(
  tx: TransactionSql,
  event: AnyAtlasEvent,
  table: string = ORDERS_TABLE,
): Promise<void> {
  const orderId = orderIdOf(event);
  if (orderId === null) return;
  await writeProjected(tx, event, orderId, await readLocked(tx, orderId, table), table);
}

/**
 * The payload as reporting keeps it: everything but payment data. An OrderPlaced's card token
 * serves billing's one charge and is never projected; the method's type stays (it is a fact of the
 * order, not a credential).
 */
export function reportablePayload(event: AnyAtlasEvent): unknown {
  if (event.eventType !== 'OrderPlaced') return event.payload;
  const { paymentMethod, ...rest } = event.payload;
  return { ...rest, paymentMethod: { type: paymentMethod.type } };
}

/** The timeline's insert of one event; it returns the row only when the event was new. */
function timelineInsert(tx: TransactionSql, event: AnyAtlasEvent, orderId: string, table: string) {
  return tx<{ event_id: string }[]>`
    insert into ${tx(table)} (
      event_id, order_id, event_type, occurred_at, correlation_id, causation_id, producer, payload
    ) values (
      ${event.eventId}, ${orderId}, ${event.eventType}, ${event.occurredAt},
      ${event.correlationId}, ${event.causationId}, ${event.producer},
      ${tx.json(reportablePayload(event) as Parameters<typeof tx.json>[0])}
    )
    on conflict (event_id) do nothing
    returning event_id`;
}

/**
 * Adds a saga event to the timeline in `tx`. Returns false when the event is there already (a
 * redelivery) or belongs to no order; the caller then skips every other effect of it.
 */
export async function recordInTimeline(
  tx: TransactionSql,
  event: AnyAtlasEvent,
  table: string = TIMELINE_TABLE,
): Promise<boolean> {
  const orderId = orderIdOf(event);
  if (orderId === null) return false;
  return (await timelineInsert(tx, event, orderId, table)).length === 1;
}

/**
 * The live projection of one event: the timeline first, which says whether the event is new,
 * then the orders read model. Both in `tx`, so a crash leaves neither or both. The timeline's
 * insert, the order's lock and its read go out in one round trip: a redelivery wastes the read,
 * a new event (nearly every one) does not wait for the insert before asking for it.
 */
export async function projectEvent(tx: TransactionSql, event: AnyAtlasEvent): Promise<boolean> {
  const orderId = orderIdOf(event);
  if (orderId === null) return false;
  const recorded = timelineInsert(tx, event, orderId, TIMELINE_TABLE).execute();
  const row = readLocked(tx, orderId, ORDERS_TABLE);
  // Settled below, or abandoned with the transaction when the insert failed first.
  row.catch(() => undefined);
  if ((await recorded).length !== 1) return false;
  await writeProjected(tx, event, orderId, await row, ORDERS_TABLE);
  return true;
}
