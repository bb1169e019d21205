import { ConflictError } from '@atlas/errors';

export const INVOICE_STATUSES = ['OPEN', 'PAID', 'VOIDED', 'REFUNDED'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/**
 * What a compensation request does to an invoice. InvoiceVoidRequested and PaymentRefundRequested
 * mean the same thing, "give the money back if any was taken" (ADR-0026): an OPEN invoice is voided,
 * a PAID one refunded, a settled one is never touched twice.
 */
export type Compensation = 'VOID' | 'REFUND' | 'NONE';

export function compensationFor(status: InvoiceStatus): Compensation {
  if (status === 'OPEN') return 'VOID';
  if (status === 'PAID') return 'REFUND';
  return 'NONE';
}

export type CallbackType = 'succeeded' | 'failed';

/** What a provider callback does to the invoice it is about. */
export type CallbackEffect = 'PAY' | 'PAY_AND_REFUND' | 'DECLINE' | 'IGNORE';

/**
 * The effect of a callback on an invoice in `status`, which `paidBy` already paid (or null).
 * A success for an invoice voided meanwhile is recorded and refunded at once: money is never kept
 * for a cancelled order. A failure only matters while the invoice is still OPEN.
 *
 * @throws ConflictError when a second, different payment succeeds for an invoice already paid.
 */
export function callbackEffect(
  status: InvoiceStatus,
  type: CallbackType,
  paymentId: string,
  paidBy: string | null,
): CallbackEffect {
  if (type === 'failed') return status === 'OPEN' ? 'DECLINE' : 'IGNORE';
  if (paidBy !== null) {
    if (paidBy === paymentId) return 'IGNORE';
    throw new ConflictError(`The invoice was already paid by ${paidBy}; ${paymentId} is refused.`);
  }
  if (status === 'OPEN') return 'PAY';
  if (status === 'VOIDED') return 'PAY_AND_REFUND';
  throw new ConflictError(`A ${status} invoice without a payment cannot take one.`);
}

/** The status an invoice ends in after an effect. */
export function statusAfter(
  effect: Exclude<Compensation, 'NONE'> | 'PAY' | 'PAY_AND_REFUND',
): InvoiceStatus {
  if (effect === 'VOID') return 'VOIDED';
  if (effect === 'PAY') return 'PAID';
  return 'REFUNDED';
}
