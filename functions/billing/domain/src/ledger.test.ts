import { describe, expect, it } from '@jest/globals';
import {
  LEDGER_ACCOUNTS,
  entriesFor,
  postingsFor,
  toLedgerLine,
  type EntryKind,
  type Posting,
} from './ledger.ts';

const KINDS: readonly EntryKind[] = ['INVOICE', 'PAYMENT', 'VOID', 'REFUND'];

/** Debits minus credits per account over every entry of a history. */
function balances(kinds: readonly EntryKind[], amountCents: bigint): Record<string, bigint> {
  const totals: Record<string, bigint> = Object.fromEntries(
    LEDGER_ACCOUNTS.map((account) => [account, 0n]),
  );
  for (const posting of kinds.flatMap((kind) => postingsFor(kind, amountCents))) {
    totals[posting.account] =
      (totals[posting.account] ?? 0n) + posting.debitCents - posting.creditCents;
  }
  return totals;
}

const sum = (postings: readonly Posting[], side: 'debitCents' | 'creditCents') =>
  postings.reduce((total, posting) => total + posting[side], 0n);

describe('the ledger', () => {
  it.each(KINDS)('balances a %s entry, each line on one side only', (kind) => {
    const postings = postingsFor(kind, 4399n);
    expect(sum(postings, 'debitCents')).toBe(sum(postings, 'creditCents'));
    for (const posting of postings) {
      expect(posting.debitCents === 0n || posting.creditCents === 0n).toBe(true);
    }
  });

  it('posts an invoice as debit receivables, credit revenue, and a payment as debit cash, credit receivables', () => {
    expect(postingsFor('INVOICE', 100n)).toEqual([
      { account: 'accounts_receivable', debitCents: 100n, creditCents: 0n },
      { account: 'revenue', debitCents: 0n, creditCents: 100n },
    ]);
    expect(postingsFor('PAYMENT', 100n)).toEqual([
      { account: 'cash', debitCents: 100n, creditCents: 0n },
      { account: 'accounts_receivable', debitCents: 0n, creditCents: 100n },
    ]);
  });

  it.each([
    ['void', ['INVOICE', ...entriesFor('VOID')]],
    ['refund', ['INVOICE', ...entriesFor('PAY'), ...entriesFor('REFUND')]],
    [
      'late success after a void',
      ['INVOICE', ...entriesFor('VOID'), ...entriesFor('PAY_AND_REFUND')],
    ],
  ] as const)('leaves every account at zero after a %s', (_case, history) => {
    expect(balances(history, 4399n)).toEqual({ accounts_receivable: 0n, revenue: 0n, cash: 0n });
  });

  it('leaves a paid invoice as cash against revenue', () => {
    expect(balances(['INVOICE', ...entriesFor('PAY')], 4399n)).toEqual({
      accounts_receivable: 0n,
      revenue: -4399n,
      cash: 4399n,
    });
  });

  it('answers a line with money strings and "0.00" on the other side', () => {
    const at = new Date('2026-11-28T10:00:00.000Z');
    expect(
      toLedgerLine({
        entry_id: 'e1',
        order_id: 'o1',
        account: 'cash',
        debit_cents: '4399',
        credit_cents: '0',
        at,
      }),
    ).toEqual({
      entryId: 'e1',
      orderId: 'o1',
      account: 'cash',
      debit: '43.99',
      credit: '0.00',
      at: '2026-11-28T10:00:00.000Z',
    });
  });
});
