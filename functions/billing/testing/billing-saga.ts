import { randomUUID } from 'node:crypto';
import { transaction, type Sql } from '@atlas/db';
import { createEvent, type AtlasEvent, type EventPayloads, type EventType } from '@atlas/events';
import { PAYLOAD_FIXTURES } from '@atlas/events/testing';
import { appendEvent, type EventFunctionSpec } from '@atlas/messaging';
import { createLogger } from '@atlas/observability';

const logger = createLogger({ service: 'billing', function: 'billing-test', level: 'silent' });

/** An upstream saga event of one order, as Order or Inventory would publish it. */
export function sagaEvent<T extends EventType>(
  eventType: T,
  payload: EventPayloads[T],
  correlationId: string,
): AtlasEvent<T> {
  return createEvent(eventType, payload, {
    producer: 'test',
    correlationId,
    causationId: randomUUID(),
  });
}

/** The saga events the invoicing consumer takes, for one order of `total` paid with `token`. */
export function orderEvents(options: { total?: string; token?: string } = {}) {
  const orderId = randomUUID();
  const correlationId = randomUUID();
  return {
    orderId,
    correlationId,
    placed: sagaEvent(
      'OrderPlaced',
      {
        ...PAYLOAD_FIXTURES.OrderPlaced,
        orderId,
        total: options.total ?? '43.99',
        paymentMethod: { type: 'card', token: options.token ?? 'tok_visa' },
      },
      correlationId,
    ),
    reserved: sagaEvent(
      'InventoryReserved',
      { orderId, lines: [{ sku: 'SKU-RED-MUG', quantity: 2 }] },
      correlationId,
    ),
    voidRequested: (invoiceId: string) =>
      sagaEvent(
        'InvoiceVoidRequested',
        { orderId, invoiceId, reason: 'CUSTOMER_CANCELLED' },
        correlationId,
      ),
    refundRequested: (invoiceId: string) =>
      sagaEvent(
        'PaymentRefundRequested',
        {
          orderId,
          invoiceId,
          amount: options.total ?? '43.99',
          currency: 'EUR',
          reason: 'APPROVAL_REJECTED',
        },
        correlationId,
      ),
  };
}

/** Applies an event with the consumer's handler in one transaction, emitting as eventFunction does. */
export async function handleEvent<T extends EventType>(
  sql: Sql,
  spec: EventFunctionSpec<T>,
  event: AtlasEvent<T>,
): Promise<void> {
  await transaction(sql, async (tx) => {
    await spec.handle(tx, event, {
      logger,
      emit: async (type, payload) => {
        await appendEvent(
          tx,
          createEvent(type, payload, {
            producer: spec.service,
            correlationId: event.correlationId,
            causationId: event.eventId,
          }),
        );
      },
    });
  });
}

/** The events billing staged for an order, oldest first. */
export async function stagedEvents(sql: Sql, orderId: string): Promise<AtlasEvent[]> {
  const rows = await sql<{ event: AtlasEvent }[]>`
    select event from atlas_outbox where aggregate_id = ${orderId} order by id`;
  return rows.map((row) => row.event);
}

export async function invoiceOf(
  sql: Sql,
  orderId: string,
): Promise<{ invoiceId: string; status: string } | undefined> {
  const [row] = await sql<{ invoiceId: string; status: string }[]>`
    select invoice_id as "invoiceId", status from invoices where order_id = ${orderId}`;
  return row;
}

/** Debits minus credits per account, in cents, over the order's lines (or all lines). */
export async function accountBalances(sql: Sql, orderId?: string): Promise<Record<string, number>> {
  const filter = orderId === undefined ? sql`` : sql`where e.order_id = ${orderId}`;
  const rows = await sql<{ account: string; balance: string }[]>`
    select l.account, sum(l.debit_cents - l.credit_cents)::text as balance
    from ledger_lines l join ledger_entries e on e.entry_id = l.entry_id ${filter}
    group by l.account`;
  return Object.fromEntries(rows.map((row) => [row.account, Number(row.balance)]));
}
