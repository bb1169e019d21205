import { randomUUID } from 'node:crypto';
import type { TransactionSql } from '@atlas/db';
import { postEntries, type Emit, type InvoiceRow } from '@atlas/billing-domain';
import { formatCents } from '@atlas/money';

/**
 * Creates the order's invoice once both halves of the join are in: OPEN, its INVOICE entry
 * (debit accounts_receivable, credit revenue) and InvoiceCreated, in the caller's transaction.
 * The caller's upsert holds the order's row lock, so of two concurrent halves the second one
 * waits and then sees the first.
 */
export async function invoiceWhenJoined(
  tx: TransactionSql,
  orderId: string,
  emit: Emit,
): Promise<void> {
  const [order] = await tx<
    { amount_cents: string | null; currency: string | null; reserved: boolean }[]
  >`
    select amount_cents, currency, reserved from billing_orders
    where order_id = ${orderId} for update`;
  if (!order?.reserved || order.amount_cents === null || order.currency === null) return;

  const [invoice] = await tx<InvoiceRow[]>`
    insert into invoices (invoice_id, order_id, status, amount_cents, currency)
    values (${randomUUID()}, ${orderId}, 'OPEN', ${order.amount_cents}, ${order.currency})
    on conflict (order_id) do nothing
    returning invoice_id, order_id, status, amount_cents, currency`;
  if (!invoice) return;
  await postEntries(tx, invoice, ['INVOICE']);
  await emit('InvoiceCreated', {
    invoiceId: invoice.invoice_id,
    orderId,
    amount: formatCents(BigInt(invoice.amount_cents)),
    currency: invoice.currency,
  });
}
