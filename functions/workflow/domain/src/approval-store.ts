import { randomUUID } from 'node:crypto';
import type { Sql, TransactionSql } from '@atlas/db';
import { DependencyUnavailableError, NotFoundError, SeparationOfDutiesError } from '@atlas/errors';
import type { CancellationReason } from '@atlas/events';
import {
  decideApproval,
  requiresApproval,
  SYSTEM_DECIDER,
  type ApprovalRow,
  type ApprovalStatus,
  type Decider,
  type Decision,
} from './approval.ts';
import { offsetOf, type Page } from '@atlas/http';

const COLUMNS = `approval_id, order_id, status, amount_cents::text as amount_cents, currency,
  requested_at, decided_at, decided_by_subject, decided_by_username, comment, reason`;

// The two-key form of advisory locks is a lock space of its own, so this class id cannot collide
// with the single-key locks the outbox relays hold.
const ORDER_LOCK_CLASS = 4001;

/**
 * Serialises PaymentSucceeded and OrderCancelled of one order: they come from two topics, may be
 * delivered at the same time, and each must see what the other committed.
 */
async function lockOrder(tx: TransactionSql, orderId: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(${ORDER_LOCK_CLASS}::int, hashtext(${orderId}))`;
}

export interface PaidOrder {
  readonly orderId: string;
  readonly amountCents: bigint;
  readonly currency: string;
}

/**
 * Opens a PENDING approval for a paid order at or above the threshold, at most once per order and
 * never for an order already seen cancelled. Returns the new approval, or undefined when none is
 * needed or one exists.
 */
export async function openApproval(
  tx: TransactionSql,
  order: PaidOrder,
  thresholdCents: bigint,
): Promise<ApprovalRow | undefined> {
  if (!requiresApproval(order.amountCents, thresholdCents)) return undefined;
  await lockOrder(tx, order.orderId);
  const [cancelled] = await tx`select 1 from cancelled_orders where order_id = ${order.orderId}`;
  if (cancelled) return undefined;
  const [created] = await tx<ApprovalRow[]>`
    insert into approvals (approval_id, order_id, status, amount_cents, currency)
    values (${randomUUID()}, ${order.orderId}, 'PENDING', ${order.amountCents.toString()}::bigint,
      ${order.currency})
    on conflict (order_id) do nothing
    returning ${tx.unsafe(COLUMNS)}`;
  return created;
}

/**
 * Remembers a cancelled order and closes its approval if one is still PENDING (REJECTED by the
 * system, the cancellation reason as its reason). Returns the closed approval, if any.
 */
export async function closeForCancelledOrder(
  tx: TransactionSql,
  orderId: string,
  reason: CancellationReason,
): Promise<ApprovalRow | undefined> {
  await lockOrder(tx, orderId);
  await tx`
    insert into cancelled_orders (order_id, reason) values (${orderId}, ${reason})
    on conflict (order_id) do nothing`;
  const [pending] = await tx<ApprovalRow[]>`
    select ${tx.unsafe(COLUMNS)} from approvals
    where order_id = ${orderId} and status = 'PENDING' for update`;
  if (!pending) return undefined;
  return decide(tx, pending, { kind: 'REJECT', by: SYSTEM_DECIDER, reason });
}

async function decide(
  tx: TransactionSql,
  approval: ApprovalRow,
  decision: Decision,
): Promise<ApprovalRow> {
  const fields = decideApproval(approval, decision);
  const [decided] = await tx<ApprovalRow[]>`
    update approvals
    set status = ${fields.status}, decided_at = clock_timestamp(),
      decided_by_subject = ${fields.decidedBySubject},
      decided_by_username = ${fields.decidedByUsername},
      comment = ${fields.comment}, reason = ${fields.reason}
    where approval_id = ${approval.approval_id}
    returning ${tx.unsafe(COLUMNS)}`;
  if (!decided) throw new Error(`approval ${approval.approval_id} vanished while locked`);
  return decided;
}

/**
 * Decides one approval by its id, locked for the transaction so two deciders cannot both win.
 *
 * @throws NotFoundError (404) for an unknown approval; ConflictError (409) when not PENDING;
 *   DependencyUnavailableError (503) while who placed the order is not in the audit trail yet.
 */
export async function decideApprovalById(
  tx: TransactionSql,
  approvalId: string,
  decision: Decision,
): Promise<ApprovalRow> {
  const [approval] = await tx<ApprovalRow[]>`
    select ${tx.unsafe(COLUMNS)} from approvals where approval_id = ${approvalId} for update`;
  if (!approval) throw new NotFoundError(`No approval ${approvalId}.`);
  await assertNotThePlacer(tx, approval, decision.by);
  return decide(tx, approval, decision);
}

/**
 * Separation of duties: nobody decides the approval of an order they placed, Admin included. Who
 * placed it is what the audit trail says of the successful `place-order` command for that order
 * (ADR-0032 commits that record with the order, so a placed order always has it). When the trail
 * does not have it yet (its event still on the way), the decision waits: refusing is safe,
 * guessing is not.
 */
async function assertNotThePlacer(
  tx: TransactionSql,
  approval: ApprovalRow,
  by: Decider,
): Promise<void> {
  const [placement] = await tx<{ actor_subject: string | null }[]>`
    select actor_subject from audit_log
    where kind = 'COMMAND' and entity_type = 'order' and entity_id = ${approval.order_id}
      and action = 'place-order' and outcome = 'SUCCEEDED'
    order by entry_id limit 1`;
  // The placement's audit record is on its way (it travels as an event): not a verdict on the
  // decision, so a retriable 503 that any careful client sends again, not a final 409.
  if (!placement)
    throw new DependencyUnavailableError(
      `Who placed order ${approval.order_id} is not in the audit trail yet; decide again in a moment.`,
    );
  if (placement.actor_subject === by.subject)
    throw new SeparationOfDutiesError(
      `You placed order ${approval.order_id}; someone else must decide its approval.`,
    );
}

export interface ApprovalFilter {
  readonly status?: ApprovalStatus | undefined;
  readonly page: number;
  readonly pageSize: number;
}

/** A page of approvals, oldest request first (the approvers' queue), optionally of one status. */
export async function listApprovals(sql: Sql, filter: ApprovalFilter): Promise<Page<ApprovalRow>> {
  const where = filter.status ? sql`where status = ${filter.status}` : sql``;
  const items = await sql<ApprovalRow[]>`
    select ${sql.unsafe(COLUMNS)} from approvals ${where}
    order by requested_at, approval_id
    limit ${filter.pageSize} offset ${offsetOf(filter)}`;
  const [count] = await sql<{ total: number }[]>`
    select count(*)::int as total from approvals ${where}`;
  return { items, page: filter.page, pageSize: filter.pageSize, total: count?.total ?? 0 };
}
