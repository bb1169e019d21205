import { ConflictError } from '@atlas/errors';
import { formatCents } from '@atlas/money';

export const APPROVAL_STATUSES = ['PENDING', 'GRANTED', 'REJECTED'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** Who decided an approval: the token's subject and username. */
export interface Decider {
  readonly subject: string;
  readonly username: string;
}

/** The decider of an approval closed because its order was cancelled: no person decided it. */
export const SYSTEM_DECIDER: Decider = { subject: 'system', username: 'system' };

/** A row of `approvals`; `amount_cents` is bigint, which postgres.js reads as a string. */
export interface ApprovalRow {
  readonly approval_id: string;
  readonly order_id: string;
  readonly status: ApprovalStatus;
  readonly amount_cents: string;
  readonly currency: string;
  readonly requested_at: Date;
  readonly decided_at: Date | null;
  readonly decided_by_subject: string | null;
  readonly decided_by_username: string | null;
  readonly comment: string | null;
  readonly reason: string | null;
}

/** An approval as the API answers it (`GET /v1/approvals`); absent fields are left out, not null. */
export interface ApprovalView {
  readonly approvalId: string;
  readonly orderId: string;
  readonly status: ApprovalStatus;
  readonly amount: string;
  readonly currency: string;
  readonly requestedAt: string;
  readonly decidedAt?: string;
  readonly decidedBy?: string;
  readonly comment?: string;
  readonly reason?: string;
}

export type Decision =
  | { readonly kind: 'GRANT'; readonly by: Decider; readonly comment: string | null }
  | { readonly kind: 'REJECT'; readonly by: Decider; readonly reason: string };

/** The columns a decision sets. */
export interface DecidedFields {
  readonly status: Exclude<ApprovalStatus, 'PENDING'>;
  readonly decidedBySubject: string;
  readonly decidedByUsername: string;
  readonly comment: string | null;
  readonly reason: string | null;
}

/**
 * Contract §4: an order whose amount is at or above the threshold waits for an approval, so the
 * boundary itself needs one.
 */
export function requiresApproval(amountCents: bigint, thresholdCents: bigint): boolean {
  return amountCents >= thresholdCents;
}

/**
 * What deciding an approval changes. Only a PENDING approval is decided: a second decision, or
 * one after the order's cancellation closed it, would contradict the first.
 *
 * @throws ConflictError (409) when the approval is no longer PENDING.
 */
export function decideApproval(
  approval: Pick<ApprovalRow, 'approval_id' | 'status'>,
  decision: Decision,
): DecidedFields {
  if (approval.status !== 'PENDING') {
    throw new ConflictError(
      `Approval ${approval.approval_id} is ${approval.status}; only a PENDING approval can be decided.`,
    );
  }
  return decision.kind === 'GRANT'
    ? {
        status: 'GRANTED',
        decidedBySubject: decision.by.subject,
        decidedByUsername: decision.by.username,
        comment: decision.comment,
        reason: null,
      }
    : {
        status: 'REJECTED',
        decidedBySubject: decision.by.subject,
        decidedByUsername: decision.by.username,
        comment: null,
        reason: decision.reason,
      };
}

/** The API shape of a row (contract §3: money as a 2-place decimal string, times ISO-8601). */
export function toApprovalView(row: ApprovalRow): ApprovalView {
  return {
    approvalId: row.approval_id,
    orderId: row.order_id,
    status: row.status,
    amount: formatCents(BigInt(row.amount_cents)),
    currency: row.currency,
    requestedAt: row.requested_at.toISOString(),
    ...(row.decided_at ? { decidedAt: row.decided_at.toISOString() } : {}),
    ...(row.decided_by_username ? { decidedBy: row.decided_by_username } : {}),
    ...(row.comment === null ? {} : { comment: row.comment }),
    ...(row.reason === null ? {} : { reason: row.reason }),
  };
}
