import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql, TransactionSql } from '@atlas/db';
import { decideCharge, type InvoiceStatus, type PaymentCallback } from '@atlas/billing-domain';
import { NotFoundError } from '@atlas/errors';
import { formatCents } from '@atlas/money';

/** A row of the provider's `card_charges`; bigint columns arrive as strings. */
export interface ChargeRow {
  readonly charge_id: string;
  readonly invoice_id: string;
  readonly order_id: string;
  readonly callback_id: string;
  readonly amount_cents: string;
  readonly currency: string;
  readonly outcome: 'succeeded' | 'failed';
  readonly decline_reason: string | null;
}

export async function chargeOf(sql: Sql, invoiceId: string): Promise<ChargeRow | undefined> {
  const [row] = await sql<ChargeRow[]>`
    select charge_id, invoice_id, order_id, callback_id, amount_cents, currency, outcome,
           decline_reason
    from card_charges where invoice_id = ${invoiceId}`;
  return row;
}

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
  const [invoice] = await tx<
    {
      order_id: string;
      status: InvoiceStatus;
      amount_cents: string;
      currency: string;
      card_token: string | null;
    }[]
  >`
    select i.order_id, i.status, i.amount_cents, i.currency, o.card_token
    from invoices i join billing_orders o on o.order_id = i.order_id
    where i.invoice_id = ${invoiceId}`;
  if (!invoice) throw new NotFoundError(`No invoice ${invoiceId} to charge.`);
  if (invoice.status !== 'OPEN') {
    await eraseCardToken(sql, invoice.order_id);
    return undefined;
  }
  // Charged before (the token is erased with the charge): that charge, whose callback may be due.
  if (invoice.card_token === null) return chargeOf(sql, invoiceId);

  const decision = decideCharge(invoice.card_token);
  if (decision.delayMs > 0) await sleep(decision.delayMs);
  await sql`
    insert into card_charges (charge_id, invoice_id, order_id, callback_id, amount_cents, currency,
                              outcome, decline_reason)
    values (${randomUUID()}, ${invoiceId}, ${invoice.order_id}, ${randomUUID()},
            ${invoice.amount_cents}, ${invoice.currency}, ${decision.outcome},
            ${decision.outcome === 'failed' ? decision.reason : null})
    on conflict (invoice_id) do nothing`;
  // The token's one use is over, whoever won the insert: no payment data stays at rest.
  await eraseCardToken(sql, invoice.order_id);
  // A concurrent delivery may have won the insert: its charge is the one.
  return chargeOf(sql, invoiceId);
}

/** Forgets the order's card token: after its charge, or once its invoice can no longer be charged. */
async function eraseCardToken(sql: Sql, orderId: string): Promise<void> {
  await sql`update billing_orders set card_token = null where order_id = ${orderId} and card_token is not null`;
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
