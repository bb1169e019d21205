import type { AtlasEvent } from '@atlas/events';
import type { EventFunctionSpec } from '@atlas/messaging';
import { parseCents, formatCents } from '@atlas/money';
import { closeForCancelledOrder, openApproval } from '@atlas/workflow-domain';

type Handled = 'PaymentSucceeded' | 'OrderCancelled';

/**
 * Workflow's part of the saga (ADR-0026): a PaymentSucceeded at or above the threshold opens an
 * approval and emits ApprovalRequested; an OrderCancelled closes a pending approval (no event:
 * the order is already cancelled) and is remembered, so a late payment requests nothing.
 */
export function requestApprovalConsumer(thresholdCents: bigint): EventFunctionSpec<Handled> {
  return {
    name: 'request-approval',
    service: 'workflow',
    eventTypes: ['PaymentSucceeded', 'OrderCancelled'],
    handle: async (tx, received, { emit, logger }) => {
      // AtlasEvent<A | B> does not narrow its payload on eventType; the distributed union does.
      const event = received as AtlasEvent<'PaymentSucceeded'> | AtlasEvent<'OrderCancelled'>;
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
        const closed = await closeForCancelledOrder(
          tx,
          event.payload.orderId,
          event.payload.reason,
        );
        if (closed)
          logger.info({ approvalId: closed.approval_id }, 'approval closed: order cancelled');
      }
    },
  };
}
