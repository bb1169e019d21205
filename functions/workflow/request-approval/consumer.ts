import definition from './function.json' with { type: 'json' };
import type { AtlasEvent, CancellationReason } from '@atlas/events';
import type { EventFunctionSpec } from '@atlas/messaging';
import { parseCents, formatCents } from '@atlas/money';
import { closeForCancelledOrder, openApproval, requiresApproval } from '@atlas/workflow-domain';

type Handled = 'PaymentSucceeded' | 'InventoryReleaseRequested' | 'OrderCancelled';

const CANCELLATION_REASONS: ReadonlySet<string> = new Set<CancellationReason>([
  'PAYMENT_FAILED',
  'APPROVAL_REJECTED',
  'CUSTOMER_CANCELLED',
]);

/**
 * Workflow's part of the saga (ADR-0026): a PaymentSucceeded at or above the threshold opens an
 * approval and emits ApprovalRequested. A cancellation closes a pending approval (no event) and is
 * remembered, so a late payment requests nothing: as soon as Order starts it (its first
 * compensation request, InventoryReleaseRequested, carries the reason), so nobody can grant an
 * approval of an order already being compensated, and again on OrderCancelled.
 */
export function requestApprovalConsumer(thresholdCents: bigint): EventFunctionSpec<Handled> {
  return {
    name: definition.name,
    service: definition.service,
    eventTypes: ['PaymentSucceeded', 'InventoryReleaseRequested', 'OrderCancelled'],
    // Most payments are below the threshold: they open nothing, so they cost no transaction.
    concerns: (event) =>
      event.eventType !== 'PaymentSucceeded' ||
      requiresApproval(
        parseCents((event as AtlasEvent<'PaymentSucceeded'>).payload.amount),
        thresholdCents,
      ),
    handle: async (tx, received, { emit, logger }) => {
      // AtlasEvent<A | B> does not narrow its payload on eventType; the distributed union does.
      const event = received as
        | AtlasEvent<'PaymentSucceeded'>
        | AtlasEvent<'InventoryReleaseRequested'>
        | AtlasEvent<'OrderCancelled'>;
      if (event.eventType === 'PaymentSucceeded') {
        const { orderId, amount, currency } = event.payload;
        const opened = await openApproval(
          tx,
          { orderId, amountCents: parseCents(amount), currency },
          thresholdCents,
        );
        if (!opened) return;
        await emit('ApprovalRequested', {
          approvalId: opened.approval_id,
          orderId,
          amount: formatCents(BigInt(opened.amount_cents)),
          currency: opened.currency,
        });
      } else {
        const { orderId, reason } = event.payload;
        // Order writes its cancellation reason into every compensation request; anything else is
        // not a cancellation this consumer understands, and OrderCancelled will still close it.
        if (!CANCELLATION_REASONS.has(reason)) {
          logger.warn({ orderId, reason }, 'release requested with an unknown reason');
          return;
        }
        const closed = await closeForCancelledOrder(tx, orderId, reason as CancellationReason);
        if (closed)
          logger.info({ approvalId: closed.approval_id }, 'approval closed: order cancelled');
      }
    },
  };
}
