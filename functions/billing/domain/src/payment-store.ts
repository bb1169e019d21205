import { stage, type TransactionSql } from '@atlas/db';
import type { PaymentCallback } from './callback.ts';
import type { CallbackEffect } from './invoice.ts';
import type { InvoiceRow } from './invoice-store.ts';

/** A row of `payment_callbacks` as the webhook reads it back: what an applied callback did. */
export interface AppliedCallbackRow {
  readonly fingerprint: string;
  readonly outcome: CallbackEffect;
}

/**
 * Sends the read of the callback's earlier application at once (`execute()`) and does not wait:
 * the caller pipelines it behind the invoice lock and awaits it later (`applyCallback`). Not an
 * async function, so it goes out exactly where it is called.
 */
export function sendAppliedCallbackRead(
  tx: TransactionSql,
  callbackId: string,
): Promise<AppliedCallbackRow[]> {
  return tx<AppliedCallbackRow[]>`
    select fingerprint, outcome from payment_callbacks where callback_id = ${callbackId}`.execute();
}

/** Sends the read of the invoice's payments at once and does not wait, like {@link sendAppliedCallbackRead}. */
export function sendInvoicePaymentsRead(
  tx: TransactionSql,
  invoiceId: string,
): Promise<{ payment_id: string }[]> {
  return tx<{ payment_id: string }[]>`
    select payment_id from payments where invoice_id = ${invoiceId}::uuid`.execute();
}

/** Records the callback's charge as the invoice's payment; staged, nothing reads it back. */
export async function insertPayment(
  tx: TransactionSql,
  invoice: InvoiceRow,
  callback: PaymentCallback,
): Promise<void> {
  await stage(
    tx,
    tx`
    insert into payments (payment_id, invoice_id, order_id, amount_cents, currency, callback_id)
    values (${callback.chargeId}, ${invoice.invoice_id}, ${invoice.order_id},
            ${invoice.amount_cents}, ${invoice.currency}, ${callback.callbackId})`,
  );
}

/** Records that the callback was applied, and what it did; staged, nothing reads it back. */
export async function recordAppliedCallback(
  tx: TransactionSql,
  callback: PaymentCallback,
  fingerprint: string,
  invoice: InvoiceRow,
  effect: CallbackEffect,
): Promise<void> {
  await stage(
    tx,
    tx`
    insert into payment_callbacks (callback_id, fingerprint, invoice_id, type, outcome)
    values (${callback.callbackId}, ${fingerprint}, ${invoice.invoice_id}, ${callback.type},
            ${effect})`,
  );
}
