import { EVENT_CATALOG, type AnyAtlasEvent, type CancellationReason } from '@atlas/events';
import { parseCents } from '@atlas/money';
import { advanceStatus, type OrderStatus, type RankedStatus } from './order-status.ts';

/** One order as the reports show it; what no event has told yet is null. */
export interface OrderView {
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly customerId: string | null;
  readonly currency: string | null;
  readonly totalCents: bigint | null;
  readonly invoiceId: string | null;
  readonly approvalId: string | null;
  readonly cancellationReason: CancellationReason | null;
  /** `occurredAt` of OrderPlaced, once seen. */
  readonly placedAt: string | null;
  /** The earliest `occurredAt` of the order's events: its creation time until OrderPlaced arrives. */
  readonly firstEventAt: string;
  /** The latest `occurredAt` of the order's events. */
  readonly updatedAt: string;
  readonly confirmedAt: string | null;
  readonly cancelledAt: string | null;
}

// The least status each event proves the order has reached. Events absent here (failures,
// compensation requests, releases, voids, refunds) leave the status alone: the order service
// keeps it while compensating and only OrderCancelled says CANCELLED (ADR-0026).
const IMPLIED_STATUS: Partial<Record<AnyAtlasEvent['eventType'], RankedStatus>> = {
  OrderPlaced: 'PENDING',
  InventoryBackordered: 'BACKORDERED',
  InventoryReserved: 'INVENTORY_RESERVED',
  InvoiceCreated: 'INVOICED',
  PaymentSucceeded: 'PAID',
  ApprovalRequested: 'AWAITING_APPROVAL',
  ApprovalGranted: 'AWAITING_APPROVAL',
  OrderConfirmed: 'CONFIRMED',
};

const earlier = (a: string, b: string): string => (Date.parse(b) < Date.parse(a) ? b : a);
const later = (a: string, b: string): string => (Date.parse(b) > Date.parse(a) ? b : a);

/** The view of an order before any of its events: what the first event builds on. */
export function emptyOrderView(orderId: string, occurredAt: string): OrderView {
  return {
    orderId,
    status: 'PENDING',
    customerId: null,
    currency: null,
    totalCents: null,
    invoiceId: null,
    approvalId: null,
    cancellationReason: null,
    placedAt: null,
    firstEventAt: occurredAt,
    updatedAt: occurredAt,
    confirmedAt: null,
    cancelledAt: null,
  };
}

/**
 * The order a saga event belongs to (its aggregate), or null for an event of another aggregate
 * (StockReceived, AuditRecorded).
 */
export function orderIdOf(event: AnyAtlasEvent): string | null {
  return EVENT_CATALOG[event.eventType].aggregateType === 'Order' ? event.aggregateId : null;
}

function fieldsOf(view: OrderView, event: AnyAtlasEvent): Partial<OrderView> {
  switch (event.eventType) {
    case 'OrderPlaced':
      return {
        customerId: event.payload.customerId,
        currency: event.payload.currency,
        totalCents: parseCents(event.payload.total),
        placedAt: event.occurredAt,
      };
    case 'OrderConfirmed':
      return {
        currency: view.currency ?? event.payload.currency,
        totalCents: view.totalCents ?? parseCents(event.payload.total),
        confirmedAt: event.occurredAt,
      };
    case 'OrderCancelled':
      return { cancellationReason: event.payload.reason, cancelledAt: event.occurredAt };
    case 'InvoiceCreated':
    case 'PaymentSucceeded':
    case 'PaymentFailed':
    case 'PaymentRefunded':
    case 'InvoiceVoided':
      return { invoiceId: event.payload.invoiceId };
    case 'ApprovalRequested':
    case 'ApprovalGranted':
    case 'ApprovalRejected':
      return { approvalId: event.payload.approvalId };
    default:
      return {};
  }
}

/**
 * The order view after one of its events. Commutative and idempotent: events of different
 * topics may come in any order and any event may come twice, and the view converges to the same
 * result: the status only moves forward by rank, CANCELLED only by OrderCancelled and for good,
 * times keep their earliest or latest value, fields are set from the event that carries them.
 *
 * @example
 * let view = emptyOrderView(orderId, placed.occurredAt);
 * view = projectOrder(view, placed);
 */
export function projectOrder(view: OrderView, event: AnyAtlasEvent): OrderView {
  const implied = IMPLIED_STATUS[event.eventType];
  let status = implied === undefined ? view.status : advanceStatus(view.status, implied);
  if (event.eventType === 'OrderCancelled') status = 'CANCELLED';
  return {
    ...view,
    ...fieldsOf(view, event),
    status,
    firstEventAt: earlier(view.firstEventAt, event.occurredAt),
    updatedAt: later(view.updatedAt, event.occurredAt),
  };
}
