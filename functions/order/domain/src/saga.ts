import { ConflictError } from '@atlas/errors';
import { formatCents } from '@atlas/money';
import type { AtlasEvent, CancellationReason, EventPayloads } from '@atlas/events';
import { laterStatus, type ForwardStatus, type OrderStatus } from './status.ts';

/** What has been asked of billing to undo an invoice or a payment: at most once per order. */
export type BillingCompensation = 'NONE' | 'REQUESTED' | 'SETTLED';

export interface Cancellation {
  readonly reason: CancellationReason;
  readonly inventoryReleased: boolean;
  readonly billingCompensation: BillingCompensation;
}

/** The saga state kept on the order row (ADR-0026). */
export interface SagaState {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly totalCents: bigint;
  readonly currency: string;
  /** An InventoryReserved or InvoiceCreated was seen: an invoice is or will be created. */
  readonly reservedEver: boolean;
  readonly invoiceId: string | null;
  readonly paid: boolean;
  readonly approvalId: string | null;
  /** Set once a cancellation starts; the status stays put until every compensation is done. */
  readonly cancellation: Cancellation | null;
}

/** The events the saga consumes (the orchestrator's KafkaSource delivers exactly these). */
export const SAGA_EVENT_TYPES = [
  'InventoryReserved',
  'InventoryBackordered',
  'InventoryReleased',
  'InvoiceCreated',
  'PaymentSucceeded',
  'PaymentFailed',
  'PaymentRefunded',
  'InvoiceVoided',
  'ApprovalRequested',
  'ApprovalGranted',
  'ApprovalRejected',
] as const;

export type SagaEventType = (typeof SAGA_EVENT_TYPES)[number];

/** A consumed event, narrowed on its type; the envelope is not needed to decide. */
export type SagaEvent = {
  [K in SagaEventType]: Pick<AtlasEvent<K>, 'eventType' | 'payload'>;
}[SagaEventType];

/** The events only the orchestrator (and the cancel route) emit. */
export type SagaEmissionType =
  | 'OrderConfirmed'
  | 'OrderCancelled'
  | 'InventoryReleaseRequested'
  | 'InvoiceVoidRequested'
  | 'PaymentRefundRequested';

export type SagaEmission = {
  [K in SagaEmissionType]: { readonly eventType: K; readonly payload: EventPayloads[K] };
}[SagaEmissionType];

/** The state after a step and the events to stage in the same transaction, in this order. */
export interface SagaTransition {
  readonly state: SagaState;
  readonly emit: readonly SagaEmission[];
}

const unchanged = (state: SagaState): SagaTransition => ({ state, emit: [] });

const isFinished = (state: SagaState): boolean =>
  state.status === 'CONFIRMED' || state.status === 'CANCELLED';

function advance(state: SagaState, implied: ForwardStatus): SagaState {
  // While compensating the status stays put, so CANCELLED is only ever shown once all is undone.
  if (state.cancellation || state.status === 'CANCELLED') return state;
  return { ...state, status: laterStatus(state.status, implied) };
}

function confirm(state: SagaState): SagaTransition {
  if (state.cancellation || isFinished(state)) return unchanged(state);
  const { orderId, totalCents, currency } = state;
  return {
    state: { ...state, status: 'CONFIRMED' },
    emit: [
      {
        eventType: 'OrderConfirmed',
        payload: { orderId, total: formatCents(totalCents), currency },
      },
    ],
  };
}

/** The one billing request of the order, if it can be made now and was not made before. */
function billingRequest(state: SagaState): SagaTransition {
  const { cancellation, invoiceId, orderId } = state;
  if (!cancellation || cancellation.billingCompensation !== 'NONE' || invoiceId === null) {
    return unchanged(state);
  }
  const { reason } = cancellation;
  // A paid invoice needs its money back; an open one only needs voiding.
  const request: SagaEmission = state.paid
    ? {
        eventType: 'PaymentRefundRequested',
        payload: {
          orderId,
          invoiceId,
          amount: formatCents(state.totalCents),
          currency: state.currency,
          reason,
        },
      }
    : { eventType: 'InvoiceVoidRequested', payload: { orderId, invoiceId, reason } };
  return {
    state: { ...state, cancellation: { ...cancellation, billingCompensation: 'REQUESTED' } },
    emit: [request],
  };
}

/** CANCELLED and OrderCancelled once stock is released and billing (if any was due) is settled. */
function tryToFinish(state: SagaState): SagaTransition {
  const cancellation = state.cancellation;
  if (!cancellation || state.status === 'CANCELLED' || !cancellation.inventoryReleased) {
    return unchanged(state);
  }
  if (state.reservedEver && cancellation.billingCompensation !== 'SETTLED') return unchanged(state);
  return {
    state: { ...state, status: 'CANCELLED' },
    emit: [
      {
        eventType: 'OrderCancelled',
        payload: { orderId: state.orderId, reason: cancellation.reason },
      },
    ],
  };
}

/**
 * Starts compensating: stock release always (Inventory answers even when it holds nothing), and
 * the billing request when the invoice is already known. Nothing happens to an order that is
 * finished or already cancelling.
 */
export function startCancellation(state: SagaState, reason: CancellationReason): SagaTransition {
  if (state.cancellation || isFinished(state)) return unchanged(state);
  const cancelling: SagaState = {
    ...state,
    cancellation: { reason, inventoryReleased: false, billingCompensation: 'NONE' },
  };
  const billing = billingRequest(cancelling);
  return {
    state: billing.state,
    emit: [
      { eventType: 'InventoryReleaseRequested', payload: { orderId: state.orderId, reason } },
      ...billing.emit,
    ],
  };
}

/**
 * `POST /v1/orders/:orderId/cancel`: starts a CUSTOMER_CANCELLED cancellation; an order already
 * cancelling is left as it is (no second effect).
 *
 * @throws ConflictError when the order is CONFIRMED or CANCELLED.
 */
export function cancelByCustomer(state: SagaState): SagaTransition {
  if (isFinished(state)) {
    throw new ConflictError(`Order ${state.orderId} is ${state.status} and cannot be cancelled.`);
  }
  return startCancellation(state, 'CUSTOMER_CANCELLED');
}

/**
 * Why the order's state cannot accept `event`, or undefined when it can (issue: one forged
 * ApprovalGranted confirmed a PENDING order). Only checks that out-of-order delivery can never
 * trip: topics are not ordered with respect to each other, so a forward step arriving "early" is
 * still accepted (ADR-0026), but what names the order's approval or invoice must name its own.
 * - An approval decision needs the approval this order requested: ApprovalRequested comes first
 *   on the same partition (both keyed by the order), and only orders at or above the threshold
 *   have one.
 * - A billing event names the order's invoice once one is known.
 */
export function refusalOf(
  state: SagaState,
  event: SagaEvent,
  approvalThresholdCents: bigint,
): string | undefined {
  switch (event.eventType) {
    case 'ApprovalRequested':
      if (state.totalCents < approvalThresholdCents)
        return `order ${state.orderId} is below the approval threshold and needs no approval`;
      if (state.approvalId !== null && state.approvalId !== event.payload.approvalId)
        return `order ${state.orderId} already waits on approval ${state.approvalId}`;
      return undefined;
    case 'ApprovalGranted':
    case 'ApprovalRejected':
      if (state.approvalId === null)
        return `order ${state.orderId} requested no approval (${event.eventType} ${event.payload.approvalId})`;
      if (state.approvalId !== event.payload.approvalId)
        return `order ${state.orderId} waits on approval ${state.approvalId}, not ${event.payload.approvalId}`;
      return undefined;
    case 'InvoiceCreated':
    case 'PaymentSucceeded':
    case 'PaymentFailed':
    case 'PaymentRefunded':
    case 'InvoiceVoided':
      if (state.invoiceId !== null && state.invoiceId !== event.payload.invoiceId)
        return `order ${state.orderId} is billed by invoice ${state.invoiceId}, not ${event.payload.invoiceId}`;
      return undefined;
    default:
      return undefined;
  }
}

/**
 * One step of the saga (the table of ADR-0026): the new state and the events to emit. Idempotent
 * by state as well as by inbox: a step already taken emits nothing again.
 *
 * @param approvalThresholdCents orders whose total reaches it wait for an approval after payment.
 */
export function applySagaEvent(
  state: SagaState,
  event: SagaEvent,
  approvalThresholdCents: bigint,
): SagaTransition {
  switch (event.eventType) {
    case 'InventoryBackordered':
      return unchanged(advance(state, 'BACKORDERED'));
    case 'InventoryReserved':
      return unchanged(advance({ ...state, reservedEver: true }, 'INVENTORY_RESERVED'));
    case 'InvoiceCreated': {
      const known = { ...state, reservedEver: true, invoiceId: event.payload.invoiceId };
      return state.cancellation ? billingRequest(known) : unchanged(advance(known, 'INVOICED'));
    }
    case 'PaymentSucceeded': {
      const paid = { ...state, reservedEver: true, paid: true, invoiceId: event.payload.invoiceId };
      if (state.cancellation) return billingRequest(paid);
      if (state.totalCents < approvalThresholdCents) return confirm(paid);
      return unchanged(advance(paid, 'PAID'));
    }
    case 'PaymentFailed':
      return startCancellation(
        { ...state, reservedEver: true, invoiceId: state.invoiceId ?? event.payload.invoiceId },
        'PAYMENT_FAILED',
      );
    case 'ApprovalRequested':
      return unchanged(
        advance({ ...state, approvalId: event.payload.approvalId }, 'AWAITING_APPROVAL'),
      );
    case 'ApprovalGranted':
      return confirm(state);
    case 'ApprovalRejected':
      return startCancellation(state, 'APPROVAL_REJECTED');
    case 'InventoryReleased':
      if (!state.cancellation) return unchanged(state);
      return tryToFinish({
        ...state,
        cancellation: { ...state.cancellation, inventoryReleased: true },
      });
    case 'InvoiceVoided':
      if (!state.cancellation) return unchanged(state);
      return tryToFinish({
        ...state,
        cancellation: { ...state.cancellation, billingCompensation: 'SETTLED' },
      });
    case 'PaymentRefunded':
      // Recorded by the inbox; the InvoiceVoided(REFUNDED) that follows it settles billing.
      return unchanged(state);
  }
}
