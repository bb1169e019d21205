import { describe, expect, it } from '@jest/globals';
import { ConflictError } from '@atlas/errors';
import {
  decideApproval,
  requiresApproval,
  toApprovalView,
  type ApprovalRow,
  type ApprovalStatus,
} from './approval.ts';

const approver = { subject: 'sub-approver', username: 'approver' };
const pending: ApprovalRow = {
  approval_id: 'a-1',
  order_id: 'o-1',
  status: 'PENDING',
  amount_cents: '1250000',
  currency: 'EUR',
  requested_at: new Date('2026-11-28T10:00:00.000Z'),
  decided_at: null,
  decided_by_subject: null,
  decided_by_username: null,
  comment: null,
  reason: null,
};

describe('whether a paid order needs an approval', () => {
  it.each([
    ['one cent below the threshold', 999_999n, false],
    ['exactly the threshold', 1_000_000n, true],
    ['above the threshold', 1_000_001n, true],
  ])('answers for an amount %s', (_case, amountCents, expected) => {
    expect(requiresApproval(amountCents, 1_000_000n)).toBe(expected);
  });
});

describe('deciding an approval', () => {
  it('grants a PENDING approval with the decider and the comment', () => {
    expect(decideApproval(pending, { kind: 'GRANT', by: approver, comment: 'ok' })).toEqual({
      status: 'GRANTED',
      decidedBySubject: 'sub-approver',
      decidedByUsername: 'approver',
      comment: 'ok',
      reason: null,
    });
  });

  it('rejects a PENDING approval with the reason', () => {
    expect(decideApproval(pending, { kind: 'REJECT', by: approver, reason: 'Too much' })).toEqual({
      status: 'REJECTED',
      decidedBySubject: 'sub-approver',
      decidedByUsername: 'approver',
      comment: null,
      reason: 'Too much',
    });
  });

  it.each<ApprovalStatus>(['GRANTED', 'REJECTED'])('refuses to decide a %s approval', (status) => {
    const decided = { ...pending, status };
    expect(() => decideApproval(decided, { kind: 'GRANT', by: approver, comment: null })).toThrow(
      ConflictError,
    );
    expect(() => decideApproval(decided, { kind: 'REJECT', by: approver, reason: 'x' })).toThrow(
      /only a PENDING approval/,
    );
  });
});

describe('the API shape of an approval', () => {
  it('leaves out what a pending approval does not have yet', () => {
    expect(toApprovalView(pending)).toEqual({
      approvalId: 'a-1',
      orderId: 'o-1',
      status: 'PENDING',
      amount: '12500.00',
      currency: 'EUR',
      requestedAt: '2026-11-28T10:00:00.000Z',
    });
  });

  it('shows who decided, when, and why', () => {
    const rejected: ApprovalRow = {
      ...pending,
      status: 'REJECTED',
      decided_at: new Date('2026-11-28T11:00:00.000Z'),
      decided_by_subject: 'sub-approver',
      decided_by_username: 'approver',
      reason: 'Too much',
    };
    expect(toApprovalView(rejected)).toMatchObject({
      status: 'REJECTED',
      decidedAt: '2026-11-28T11:00:00.000Z',
      decidedBy: 'approver',
      reason: 'Too much',
    });
    expect(toApprovalView(rejected)).not.toHaveProperty('comment');
  });
});
