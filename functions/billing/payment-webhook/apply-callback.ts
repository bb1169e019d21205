import { createHash } from 'node:crypto';
import type { TransactionSql } from '@atlas/db';
import {
  callbackEffect,
  entriesFor,
  insertPayment,
  lockInvoice,
  postEntries,
  recordAppliedCallback,
  refundPayment,
  sendAppliedCallbackRead,
  sendInvoicePaymentsRead,
  setInvoiceStatus,
  statusAfter,
  type CallbackEffect,
  type Emit,
  type InvoiceRow,
  type PaymentCallback,
} from '@atlas/billing-domain';
import { ConflictError, IdempotencyKeyReusedError, NotFoundError } from '@atlas/errors';
import { formatCents, parseCents } from '@atlas/money';

export interface CallbackResult {
  readonly callbackId: string;
  readonly invoiceId: string;
  readonly effect: CallbackEffect;
  /** True when this callback id was applied before: nothing happened this time. */
  readonly replayed: boolean;
}

/** The callback's identity beyond its id: a provider re-sending it sends the same fields. */
function fingerprintOf(callback: PaymentCallback): string {
  return createHash('sha256').update(JSON.stringify(callback)).digest('hex');
}

function assertAbout(invoice: InvoiceRow, callback: PaymentCallback): void {
  const sameMoney =
    parseCents(callback.amount) === BigInt(invoice.amount_cents) &&
    callback.currency === invoice.currency;
  if (invoice.order_id !== callback.orderId || !sameMoney) {
    throw new ConflictError(
      `The callback (order ${callback.orderId}, ${callback.amount} ${callback.currency}) does not match invoice ${invoice.invoice_id}.`,
    );
  }
}

async function recordPayment(
  tx: TransactionSql,
  invoice: InvoiceRow,
  callback: PaymentCallback,
  emit: Emit,
): Promise<void> {
  await insertPayment(tx, invoice, callback);
  await emit('PaymentSucceeded', {
    orderId: invoice.order_id,
    invoiceId: invoice.invoice_id,
    paymentId: callback.chargeId,
    amount: formatCents(BigInt(invoice.amount_cents)),
    currency: invoice.currency,
  });
}

/**
 * Applies one provider callback in the caller's transaction, at most once per callback id. The
 * invoice is locked first, so callbacks and compensation requests for one invoice take turns.
 *
 * @throws NotFoundError for an unknown invoice, ConflictError when the callback disagrees with the
 * invoice, IdempotencyKeyReusedError when a known callback id comes back with other fields.
 */
export async function applyCallback(
  tx: TransactionSql,
  callback: PaymentCallback,
  emit: Emit,
): Promise<CallbackResult> {
  // The lock and the two reads behind it go out together: PostgreSQL runs the reads once it holds
  // the lock, each with a snapshot taken then, so they see what the lock's previous holder wrote.
  const locking = lockInvoice(tx, callback.invoiceId);
  const seenRows = sendAppliedCallbackRead(tx, callback.callbackId);
  const paymentRows = sendInvoicePaymentsRead(tx, callback.invoiceId);
  // Awaited in turn below; a failure of the lock fails them too and must not go unhandled.
  seenRows.catch(() => undefined);
  paymentRows.catch(() => undefined);
  const invoice = await locking;
  if (!invoice) throw new NotFoundError(`No invoice ${callback.invoiceId}.`);
  const fingerprint = fingerprintOf(callback);
  const [seen] = await seenRows;
  if (seen) {
    if (seen.fingerprint !== fingerprint) {
      throw new IdempotencyKeyReusedError(
        `Callback ${callback.callbackId} was applied before with other fields.`,
      );
    }
    return { ...resultOf(callback), effect: seen.outcome, replayed: true };
  }
  assertAbout(invoice, callback);

  const [payment] = await paymentRows;
  const effect = callbackEffect(
    invoice.status,
    callback.type,
    callback.chargeId,
    payment?.payment_id ?? null,
  );
  if (effect === 'PAY' || effect === 'PAY_AND_REFUND') {
    await recordPayment(tx, invoice, callback, emit);
    // The invoice was voided while the charge ran: the money goes back at once.
    if (effect === 'PAY_AND_REFUND') await refundPayment(tx, invoice, callback.chargeId, emit);
    await postEntries(tx, invoice, entriesFor(effect));
    await setInvoiceStatus(tx, invoice.invoice_id, statusAfter(effect));
  } else if (effect === 'DECLINE' && callback.type === 'failed') {
    await emit('PaymentFailed', {
      orderId: invoice.order_id,
      invoiceId: invoice.invoice_id,
      reason: callback.reason,
    });
  }
  await recordAppliedCallback(tx, callback, fingerprint, invoice, effect);
  return { ...resultOf(callback), effect, replayed: false };
}

function resultOf(callback: PaymentCallback): Pick<CallbackResult, 'callbackId' | 'invoiceId'> {
  return { callbackId: callback.callbackId, invoiceId: callback.invoiceId };
}
