import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { stage, type Sql, type TransactionSql } from '@atlas/db';
import { InternalError } from '@atlas/errors';
import type { EventPayloads, EventType } from '@atlas/events';
import { formatCents } from '@atlas/money';
import { compensationFor, statusAfter, type Compensation, type InvoiceStatus } from './invoice.ts';
import { entriesFor, postingsFor, type EntryKind } from './ledger.ts';

/** Stages an event in the outbox of the caller's transaction (a consumer's `emit`, or the webhook's). */
export type Emit = <T extends EventType>(eventType: T, payload: EventPayloads[T]) => Promise<void>;

/** A row of `invoices`; bigint columns arrive as strings. */
export interface InvoiceRow {
  readonly invoice_id: string;
  readonly order_id: string;
  readonly status: InvoiceStatus;
  readonly amount_cents: string;
  readonly currency: string;
}

/** An invoice as the API answers it (contract §3). */
export interface Invoice {
  readonly invoiceId: string;
  readonly orderId: string;
  readonly status: InvoiceStatus;
  readonly amount: string;
  readonly currency: string;
}

export function toInvoice(row: InvoiceRow): Invoice {
  return {
    invoiceId: row.invoice_id,
    orderId: row.order_id,
    status: row.status,
    amount: formatCents(BigInt(row.amount_cents)),
    currency: row.currency,
  };
}

const invoiceIdSchema = z.uuid();

/** The invoice, or undefined when there is none (an id that cannot be one names none either). */
export async function findInvoice(sql: Sql, invoiceId: string): Promise<InvoiceRow | undefined> {
  if (!invoiceIdSchema.safeParse(invoiceId).success) return undefined;
  const [row] = await sql<InvoiceRow[]>`
    select invoice_id, order_id, status, amount_cents, currency
    from invoices where invoice_id = ${invoiceId}`;
  return row;
}

/** The invoice, locked until the transaction ends: every change of an invoice goes through here. */
/**
 * Locks the invoice's row and reads it. The statement is sent when this is called, not a
 * microtask later (as `await` on postgres.js's lazy query would), so statements sent after the
 * call queue behind the lock: the webhook relies on that to send its reads together with it.
 */
export function lockInvoice(
  tx: TransactionSql,
  invoiceId: string,
): Promise<InvoiceRow | undefined> {
  return tx<InvoiceRow[]>`
    select invoice_id, order_id, status, amount_cents, currency
    from invoices where invoice_id = ${invoiceId} for update`
    .execute()
    .then(([row]) => row);
}

/** Creates the order's OPEN invoice; undefined when the order has one already. */
export async function createOpenInvoice(
  tx: TransactionSql,
  orderId: string,
  amountCents: string,
  currency: string,
): Promise<InvoiceRow | undefined> {
  const [invoice] = await tx<InvoiceRow[]>`
    insert into invoices (invoice_id, order_id, status, amount_cents, currency)
    values (${randomUUID()}, ${orderId}, 'OPEN', ${amountCents}, ${currency})
    on conflict (order_id) do nothing
    returning invoice_id, order_id, status, amount_cents, currency`;
  return invoice;
}

export async function setInvoiceStatus(
  tx: TransactionSql,
  invoiceId: string,
  status: InvoiceStatus,
): Promise<void> {
  await stage(
    tx,
    tx`
    update invoices set status = ${status}, updated_at = clock_timestamp()
    where invoice_id = ${invoiceId}`,
  );
}

/** Posts one balanced journal entry per kind, in order, for the invoice's amount. */
export async function postEntries(
  tx: TransactionSql,
  invoice: InvoiceRow,
  kinds: readonly EntryKind[],
): Promise<void> {
  // Nothing reads the entries back: they travel with the transaction's next statement or its
  // COMMIT, where the deferred balance trigger checks every entry.
  for (const kind of kinds) {
    const entryId = randomUUID();
    await stage(
      tx,
      tx`
      insert into ledger_entries (entry_id, order_id, invoice_id, kind, currency)
      values (${entryId}, ${invoice.order_id}, ${invoice.invoice_id}, ${kind}, ${invoice.currency})`,
    );
    const lines = postingsFor(kind, BigInt(invoice.amount_cents)).map((posting) => ({
      entry_id: entryId,
      account: posting.account,
      debit_cents: posting.debitCents.toString(),
      credit_cents: posting.creditCents.toString(),
    }));
    await stage(
      tx,
      tx`insert into ledger_lines ${tx(lines, 'entry_id', 'account', 'debit_cents', 'credit_cents')}`,
    );
  }
}

/** Records the refund of the invoice's payment and stages PaymentRefunded; the caller posts the entries. */
export async function refundPayment(
  tx: TransactionSql,
  invoice: InvoiceRow,
  paymentId: string,
  emit: Emit,
): Promise<void> {
  const refundId = randomUUID();
  await tx`
    insert into refunds (refund_id, payment_id, invoice_id, order_id, amount_cents, currency)
    values (${refundId}, ${paymentId}, ${invoice.invoice_id}, ${invoice.order_id},
            ${invoice.amount_cents}, ${invoice.currency})`;
  await emit('PaymentRefunded', {
    orderId: invoice.order_id,
    invoiceId: invoice.invoice_id,
    refundId,
    amount: formatCents(BigInt(invoice.amount_cents)),
    currency: invoice.currency,
  });
}

/**
 * Answers InvoiceVoidRequested and PaymentRefundRequested alike (ADR-0026): an OPEN invoice is
 * voided (InvoiceVoided VOIDED), a PAID one refunded (PaymentRefunded, InvoiceVoided REFUNDED),
 * each with its reversing entries; a settled invoice is left as it is.
 *
 * @returns what was done.
 */
export async function compensate(
  tx: TransactionSql,
  invoice: InvoiceRow,
  emit: Emit,
): Promise<Compensation> {
  const compensation = compensationFor(invoice.status);
  if (compensation === 'NONE') return compensation;
  if (compensation === 'REFUND') {
    const [payment] = await tx<{ payment_id: string }[]>`
      select payment_id from payments where invoice_id = ${invoice.invoice_id}`;
    if (!payment) throw new InternalError(`PAID invoice ${invoice.invoice_id} has no payment`);
    await refundPayment(tx, invoice, payment.payment_id, emit);
  }
  const status = statusAfter(compensation);
  await setInvoiceStatus(tx, invoice.invoice_id, status);
  // A voided invoice is never charged: its card token has no use left.
  await tx`update billing_orders set card_token = null where order_id = ${invoice.order_id}`;
  await postEntries(tx, invoice, entriesFor(compensation));
  await emit('InvoiceVoided', {
    orderId: invoice.order_id,
    invoiceId: invoice.invoice_id,
    status: status === 'REFUNDED' ? 'REFUNDED' : 'VOIDED',
  });
  return compensation;
}
