import type { TransactionSql } from '@atlas/db';
import { createOpenInvoice, lockJoinedOrder, postEntries, type Emit } from '@atlas/billing-domain';
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
  const order = await lockJoinedOrder(tx, orderId);
  if (!order?.reserved || order.amount_cents === null || order.currency === null) return;

  const invoice = await createOpenInvoice(tx, orderId, order.amount_cents, order.currency);
  if (!invoice) return;
  await postEntries(tx, invoice, ['INVOICE']);
  await emit('InvoiceCreated', {
    invoiceId: invoice.invoice_id,
    orderId,
    amount: formatCents(BigInt(invoice.amount_cents)),
    currency: invoice.currency,
  });
}
