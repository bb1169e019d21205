import { randomUUID } from 'node:crypto';
import type { Sql, TransactionSql } from '@atlas/db';
import type { ChargeDecision } from './card-decision.ts';
import type { InvoiceStatus } from './invoice.ts';

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

/** What the provider needs of an invoice to charge it: its state, amount and the order's card token. */
export interface ChargeableInvoice {
  readonly order_id: string;
  readonly status: InvoiceStatus;
  readonly amount_cents: string;
  readonly currency: string;
  readonly card_token: string | null;
}

/** The invoice's charge, or undefined when its card was not charged yet. */
export async function chargeOf(sql: Sql, invoiceId: string): Promise<ChargeRow | undefined> {
  const [row] = await sql<ChargeRow[]>`
    select charge_id, invoice_id, order_id, callback_id, amount_cents, currency, outcome,
           decline_reason
    from card_charges where invoice_id = ${invoiceId}`;
  return row;
}

/** The invoice with its order's card token, or undefined when there is no such invoice. */
export async function findChargeableInvoice(
  tx: TransactionSql,
  invoiceId: string,
): Promise<ChargeableInvoice | undefined> {
  const [invoice] = await tx<ChargeableInvoice[]>`
    select i.order_id, i.status, i.amount_cents, i.currency, o.card_token
    from invoices i join billing_orders o on o.order_id = i.order_id
    where i.invoice_id = ${invoiceId}`;
  return invoice;
}

/**
 * Records the charge `decision` of the invoice, committed on its own (`sql`, not the caller's
 * transaction). At most one charge per invoice: a concurrent delivery's insert that won is kept.
 */
export async function insertCharge(
  sql: Sql,
  invoiceId: string,
  invoice: ChargeableInvoice,
  decision: ChargeDecision,
): Promise<void> {
  await sql`
    insert into card_charges (charge_id, invoice_id, order_id, callback_id, amount_cents, currency,
                              outcome, decline_reason)
    values (${randomUUID()}, ${invoiceId}, ${invoice.order_id}, ${randomUUID()},
            ${invoice.amount_cents}, ${invoice.currency}, ${decision.outcome},
            ${decision.outcome === 'failed' ? decision.reason : null})
    on conflict (invoice_id) do nothing`;
}

/** Forgets the order's card token: after its charge, or once its invoice can no longer be charged. */
export async function eraseCardToken(sql: Sql, orderId: string): Promise<void> {
  await sql`update billing_orders set card_token = null where order_id = ${orderId} and card_token is not null`;
}
