import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql, TransactionSql } from '@atlas/db';
import {
  chargeOf,
  decideCharge,
  eraseCardToken,
  findChargeableInvoice,
  insertCharge,
  type ChargeRow,
  type PaymentCallback,
} from '@atlas/billing-domain';
import { NotFoundError } from '@atlas/errors';
import { formatCents } from '@atlas/money';

/**
 * Charges the invoice's card unless the invoice is no longer OPEN (answers undefined then). The
 * charge commits on its own, before any callback is sent, so a redelivery finds it and never
 * charges the card a second time.
 */
export async function chargeInvoice(
  sql: Sql,
  tx: TransactionSql,
  invoiceId: string,
): Promise<ChargeRow | undefined> {
  const invoice = await findChargeableInvoice(tx, invoiceId);
  if (!invoice) throw new NotFoundError(`No invoice ${invoiceId} to charge.`);
  if (invoice.status !== 'OPEN') {
    await eraseCardToken(sql, invoice.order_id);
    return undefined;
  }
  // Charged before (the token is erased with the charge): that charge, whose callback may be due.
  if (invoice.card_token === null) return chargeOf(sql, invoiceId);

  const decision = decideCharge(invoice.card_token);
  if (decision.delayMs > 0) await sleep(decision.delayMs);
  await insertCharge(sql, invoiceId, invoice, decision);
  // The token's one use is over, whoever won the insert: no payment data stays at rest.
  await eraseCardToken(sql, invoice.order_id);
  // A concurrent delivery may have won the insert: its charge is the one.
  return chargeOf(sql, invoiceId);
}

/** The callback that reports a charge; the same charge always gives the same callback. */
export function callbackOf(charge: ChargeRow): PaymentCallback {
  const common = {
    callbackId: charge.callback_id,
    chargeId: charge.charge_id,
    invoiceId: charge.invoice_id,
    orderId: charge.order_id,
    amount: formatCents(BigInt(charge.amount_cents)),
    currency: charge.currency,
  };
  return charge.outcome === 'succeeded'
    ? { ...common, type: 'succeeded' }
    : { ...common, type: 'failed', reason: charge.decline_reason ?? 'declined' };
}
