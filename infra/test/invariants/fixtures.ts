import { randomUUID } from 'node:crypto';
import { transaction, type Sql, type TransactionSql } from '@atlas/db';
import type { ServiceDatabases } from './databases.ts';

// Hand-made rows, as the services would leave them, for the checker's own tests.

type Posting = readonly [account: string, debitCents: number, creditCents: number];

const POSTINGS: Record<string, (amount: number) => Posting[]> = {
  INVOICE: (a) => [
    ['accounts_receivable', a, 0],
    ['revenue', 0, a],
  ],
  PAYMENT: (a) => [
    ['cash', a, 0],
    ['accounts_receivable', 0, a],
  ],
  VOID: (a) => [
    ['revenue', a, 0],
    ['accounts_receivable', 0, a],
  ],
  REFUND: (a) => [
    ['accounts_receivable', a, 0],
    ['cash', 0, a],
  ],
};

/** Inserts one journal entry inside `tx`; the balance check runs when `tx` commits. */
export async function insertEntry(
  tx: TransactionSql,
  orderId: string,
  invoiceId: string,
  kind: string,
  postings: readonly Posting[],
): Promise<void> {
  const entryId = randomUUID();
  await tx`insert into ledger_entries (entry_id, order_id, invoice_id, kind, currency)
           values (${entryId}, ${orderId}, ${invoiceId}, ${kind}, 'EUR')`;
  for (const [account, debit, credit] of postings)
    await tx`insert into ledger_lines (entry_id, account, debit_cents, credit_cents)
             values (${entryId}, ${account}, ${debit}, ${credit})`;
}

async function postEntry(
  billing: Sql,
  orderId: string,
  invoiceId: string,
  kind: string,
  postings: readonly Posting[],
): Promise<void> {
  await transaction(billing, (tx) => insertEntry(tx, orderId, invoiceId, kind, postings));
}

export async function recordEvent(
  reporting: Sql,
  orderId: string,
  eventType: string,
  payload: Record<string, unknown> = {},
): Promise<void> {
  const id = randomUUID();
  await reporting`
    insert into report_events (event_id, order_id, event_type, occurred_at, correlation_id,
                               causation_id, producer, payload)
    values (${id}, ${orderId}, ${eventType}, clock_timestamp(), ${id}, ${id}, 'test',
            ${reporting.json({ orderId, ...payload })})`;
}

interface FixtureOrder {
  readonly orderId: string;
  readonly sku: string;
  readonly invoiceId: string;
}

async function placeRows(
  dbs: ServiceDatabases,
  status: string,
  extra: { reason?: string; amountCents: number; quantity: number; onHand: number },
): Promise<FixtureOrder> {
  const orderId = randomUUID();
  const invoiceId = randomUUID();
  const sku = `SKU-${orderId.slice(0, 8)}`;
  const cancelled = status === 'CANCELLED';
  const invoiced = status !== 'BACKORDERED';
  await dbs.order`
    insert into orders (id, customer_id, currency, lines, total_cents, status, cancellation_reason,
                        reserved_ever, invoice_id, paid, inventory_released, billing_compensation)
    values (${orderId}, 'c-fixture', 'EUR',
            ${dbs.order.json([{ sku, quantity: extra.quantity, unitPrice: '1.00' }])},
            ${extra.amountCents}, ${status}, ${extra.reason ?? null}, ${invoiced},
            ${invoiced ? invoiceId : null}, ${invoiced}, ${cancelled},
            ${cancelled ? 'SETTLED' : 'NONE'})`;
  await dbs.inventory`insert into inventory_items (sku, on_hand, reserved)
                      values (${sku}, ${extra.onHand}, ${status === 'CONFIRMED' ? extra.quantity : 0})`;
  await dbs.inventory`insert into inventory_orders (order_id) values (${orderId})`;
  await dbs.reporting`
    insert into report_orders (order_id, status, customer_id, currency, total_cents,
                               cancellation_reason, first_event_at, updated_at)
    values (${orderId}, ${status}, 'c-fixture', 'EUR', ${extra.amountCents}, ${extra.reason ?? null},
            now(), now())`;
  await recordEvent(dbs.reporting, orderId, 'OrderPlaced');
  if (invoiced) {
    await dbs.billing`
      insert into billing_orders (order_id, amount_cents, currency, card_token, reserved)
      values (${orderId}, ${extra.amountCents}, 'EUR', 'tok_visa', true)`;
    await dbs.billing`
      insert into invoices (invoice_id, order_id, status, amount_cents, currency)
      values (${invoiceId}, ${orderId}, ${cancelled ? 'REFUNDED' : 'PAID'}, ${extra.amountCents}, 'EUR')`;
    await dbs.billing`
      insert into payments (payment_id, invoice_id, order_id, amount_cents, currency, callback_id)
      values (${randomUUID()}, ${invoiceId}, ${orderId}, ${extra.amountCents}, 'EUR', ${randomUUID()})`;
    for (const kind of cancelled
      ? ['INVOICE', 'PAYMENT', 'REFUND', 'VOID']
      : ['INVOICE', 'PAYMENT'])
      await postEntry(
        dbs.billing,
        orderId,
        invoiceId,
        kind,
        POSTINGS[kind]?.(extra.amountCents) ?? [],
      );
    const line = { sku, quantity: extra.quantity };
    await dbs.inventory`
      insert into inventory_reservations (order_id, sku, quantity, status, released_at)
      values (${orderId}, ${sku}, ${extra.quantity}, ${cancelled ? 'RELEASED' : 'RESERVED'},
              ${cancelled ? new Date() : null})`;
    await recordEvent(dbs.reporting, orderId, 'InventoryReserved', { lines: [line] });
    await recordEvent(dbs.reporting, orderId, 'InvoiceCreated');
    await recordEvent(dbs.reporting, orderId, 'PaymentSucceeded');
    if (cancelled) {
      const [payment] = await dbs.billing<{ id: string }[]>`
        select payment_id as id from payments where order_id = ${orderId}`;
      await dbs.billing`
        insert into refunds (refund_id, payment_id, invoice_id, order_id, amount_cents, currency)
        values (${randomUUID()}, ${payment?.id ?? ''}, ${invoiceId}, ${orderId},
                ${extra.amountCents}, 'EUR')`;
      await recordEvent(dbs.reporting, orderId, 'InventoryReleased', { lines: [line] });
      await recordEvent(dbs.reporting, orderId, 'OrderCancelled');
    } else {
      await recordEvent(dbs.reporting, orderId, 'OrderConfirmed');
    }
  } else {
    const [backorder] = await dbs.inventory<{ id: string }[]>`
      insert into inventory_backorders (order_id) values (${orderId}) returning id::text`;
    await dbs.inventory`insert into inventory_backorder_lines (backorder_id, sku, quantity)
                        values (${backorder?.id ?? '0'}, ${sku}, ${extra.quantity})`;
    await recordEvent(dbs.reporting, orderId, 'InventoryBackordered');
  }
  return { orderId, sku, invoiceId };
}

/** A paid, confirmed order of `quantity` units below the approval threshold. */
export const confirmedOrder = (dbs: ServiceDatabases, amountCents = 1999, quantity = 2) =>
  placeRows(dbs, 'CONFIRMED', { amountCents, quantity, onHand: 10 });

/** An order cancelled by its customer after payment: released, refunded, voided. */
export const refundedOrder = (dbs: ServiceDatabases, amountCents = 4200, quantity = 1) =>
  placeRows(dbs, 'CANCELLED', { reason: 'CUSTOMER_CANCELLED', amountCents, quantity, onHand: 10 });

/** An order waiting for stock that is not there. */
export const backorderedOrder = (dbs: ServiceDatabases, amountCents = 500, quantity = 5) =>
  placeRows(dbs, 'BACKORDERED', { amountCents, quantity, onHand: 0 });
