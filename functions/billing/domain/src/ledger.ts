import { formatCents } from '@atlas/money';

export const LEDGER_ACCOUNTS = ['accounts_receivable', 'revenue', 'cash'] as const;
export type LedgerAccount = (typeof LEDGER_ACCOUNTS)[number];

/** One journal entry per kind and order; VOID reverses INVOICE and REFUND reverses PAYMENT. */
export type EntryKind = 'INVOICE' | 'PAYMENT' | 'VOID' | 'REFUND';

export interface Posting {
  readonly account: LedgerAccount;
  readonly debitCents: bigint;
  readonly creditCents: bigint;
}

// [debited, credited] per entry kind (contract §4).
const ACCOUNTS_OF: Readonly<Record<EntryKind, readonly [LedgerAccount, LedgerAccount]>> = {
  INVOICE: ['accounts_receivable', 'revenue'],
  PAYMENT: ['cash', 'accounts_receivable'],
  VOID: ['revenue', 'accounts_receivable'],
  REFUND: ['accounts_receivable', 'cash'],
};

/**
 * The two balanced lines of an entry of `kind` for `amountCents`.
 *
 * @example
 * postingsFor('PAYMENT', 4399n);
 * // [{ account: 'cash', debitCents: 4399n, creditCents: 0n },
 * //  { account: 'accounts_receivable', debitCents: 0n, creditCents: 4399n }]
 */
export function postingsFor(kind: EntryKind, amountCents: bigint): readonly Posting[] {
  const [debited, credited] = ACCOUNTS_OF[kind];
  return [
    { account: debited, debitCents: amountCents, creditCents: 0n },
    { account: credited, debitCents: 0n, creditCents: amountCents },
  ];
}

/**
 * The entries a settlement posts, in order: a void reverses the invoice; a refund reverses the
 * payment and then the invoice; a success on a voided invoice posts the payment and its refund
 * (the invoice was reversed when it was voided).
 */
export function entriesFor(
  effect: 'VOID' | 'REFUND' | 'PAY' | 'PAY_AND_REFUND',
): readonly EntryKind[] {
  if (effect === 'VOID') return ['VOID'];
  if (effect === 'REFUND') return ['REFUND', 'VOID'];
  if (effect === 'PAY') return ['PAYMENT'];
  return ['PAYMENT', 'REFUND'];
}

/** A journal line as `ledger_lines` joined with its entry gives it. */
export interface LedgerLineRow {
  readonly entry_id: string;
  readonly order_id: string;
  readonly account: LedgerAccount;
  readonly debit_cents: string;
  readonly credit_cents: string;
  readonly at: Date;
}

/** A journal line as the API answers it: money strings, "0.00" on the other side. */
export interface LedgerLine {
  readonly entryId: string;
  readonly orderId: string;
  readonly account: LedgerAccount;
  readonly debit: string;
  readonly credit: string;
  readonly at: string;
}

export function toLedgerLine(row: LedgerLineRow): LedgerLine {
  return {
    entryId: row.entry_id,
    orderId: row.order_id,
    account: row.account,
    debit: formatCents(BigInt(row.debit_cents)),
    credit: formatCents(BigInt(row.credit_cents)),
    at: row.at.toISOString(),
  };
}
