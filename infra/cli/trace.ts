/**
 * `atlas trace`: an order's causal timeline put together from three answers of the gateway (the
 * order, its reporting timeline, its entry among the stuck orders) and the order's spans in the
 * trace backend (its trace id, each delivery). Pure: the fetching is in commands.ts, so the
 * reasoning is unit-tested.
 */
import { forwardStepOf } from '@atlas/order-domain';
// One item of `GET /v1/reports/orders/{id}/timeline`, as the demos read it too.
import type { TimelineEvent } from '../local/demo/saga.ts';
import type { OrderSpans, Publication, TracedDelivery } from './spans.ts';

export type { TimelineEvent };

/** One dead letter as `GET /v1/ops/stuck-orders` lists it under an order. */
export interface StuckDeadLetter {
  readonly id: string;
  readonly eventType: string | null;
  readonly consumer: string | null;
  readonly failedAt: string | null;
  readonly errorCode: number | null;
}

/** One item of `GET /v1/ops/stuck-orders`. */
export interface StuckOrder {
  readonly orderId: string;
  readonly status: string;
  readonly cancellationReason?: string;
  readonly updatedAt: string;
  readonly stuckForSeconds: number;
  readonly waitingOn: {
    readonly service: string;
    readonly step: string;
    readonly legitimate: boolean;
  };
  readonly deadLetters: readonly StuckDeadLetter[];
}

export interface OrderSummary {
  readonly orderId: string;
  readonly status: string;
  readonly updatedAt?: string;
  readonly createdAt?: string;
  readonly cancellationReason?: string;
}

/** A dead letter that names the event: a delivery that gave up. */
export interface DeadLetterDelivery {
  readonly consumer: string | null;
  readonly outcome: 'dead-lettered';
  readonly deadLetterId: string;
  readonly failedAt: string | null;
  readonly errorCode: number | null;
}

/**
 * What is known of one delivery of an event: each delivery the order's trace recorded (consumer,
 * outcome, attempts, latency), then the dead letters that name the event.
 */
export type Delivery = TracedDelivery | DeadLetterDelivery;

export interface TracedEvent extends TimelineEvent {
  /** Milliseconds after the first event of the timeline. */
  readonly offsetMs: number;
  /**
   * `event` (an event of this timeline), `request` (an HTTP request: the placement or a command),
   * `callback` (the card provider's payment callback) or `unknown` (a gap).
   */
  readonly causedBy: 'event' | 'request' | 'callback' | 'unknown';
  readonly causeEventType: string | null;
  /** How it left its producer's outbox (null without its publish span). */
  readonly outbox: Publication | null;
  readonly deliveries: readonly Delivery[];
}

export interface Gap {
  readonly kind: 'missing-cause' | 'missing-placement' | 'time';
  readonly eventId: string | null;
  readonly message: string;
  readonly seconds?: number;
}

export interface WaitingOn {
  readonly service: string;
  readonly step: string;
  readonly legitimate: boolean;
  /** When the order took its last step (ISO-8601). */
  readonly since: string;
  readonly forSeconds: number;
  /** `stuck-orders` (the order service said so) or `status` (inferred from the status alone). */
  readonly source: 'stuck-orders' | 'status';
}

export interface Trace {
  readonly orderId: string;
  readonly status: string;
  readonly cancellationReason: string | null;
  readonly correlationId: string | null;
  /** The trace the order was placed in (null when no trace backend holds it: off, or sampled out). */
  readonly traceId: string | null;
  /** Where the trace backend shows it. */
  readonly traceUrl: string | null;
  /** Every trace the order's events appear in (an approver's decision starts its own). */
  readonly traceIds: readonly string[];
  readonly events: readonly TracedEvent[];
  readonly waitingOn: WaitingOn | null;
  readonly deadLetters: readonly StuckDeadLetter[];
  readonly gaps: readonly Gap[];
  /** Things the trace could not see (a missing permission, no timeline yet, …). */
  readonly notes: readonly string[];
}

export const TIME_GAP_SECONDS = 30;

/**
 * Events staged by the payment webhook name the card provider's `callbackId` as their cause
 * (docs/api/billing.md): an outside request whose id no event carries.
 */
const CALLBACK_EVENTS = new Set(['PaymentSucceeded', 'PaymentFailed']);

type Cause = TracedEvent['causedBy'];

function causeOf(
  event: TimelineEvent,
  ids: ReadonlySet<string>,
  requests: ReadonlySet<string>,
): Cause {
  if (ids.has(event.causationId)) return 'event';
  if (requests.has(event.causationId) || event.causationId === event.correlationId)
    return 'request';
  if (CALLBACK_EVENTS.has(event.eventType) && event.producer === 'billing') return 'callback';
  return event.eventType === 'OrderPlaced' ? 'request' : 'unknown';
}

function requestIds(events: readonly TimelineEvent[]): Set<string> {
  const placed = events.find((event) => event.eventType === 'OrderPlaced');
  return new Set(placed ? [placed.causationId, placed.correlationId] : []);
}
export const SETTLED = new Set(['CONFIRMED', 'CANCELLED']);

/**
 * The step an unsettled order waits on from its status alone (ADR-0026), for an order that is
 * not (yet) listed as stuck; a compensating order's exact step needs the order service's view.
 */
export function waitingOnFromStatus(
  status: string,
  cancellationReason: string | undefined,
): { service: string; step: string; legitimate: boolean } | null {
  if (SETTLED.has(status)) return null;
  if (cancellationReason)
    return { service: 'order', step: 'the compensations, then OrderCancelled', legitimate: false };
  return forwardStepOf(status);
}

const time = (iso: string): number => Date.parse(iso);

/**
 * The gaps of a timeline (oldest first):
 * - an event whose `causationId` is no `eventId` of the timeline and no request: not its own
 *   correlation id (a command's events are caused by the request, whose id is their correlation
 *   id), not the placement request (`OrderPlaced`'s causation id), not the card provider's
 *   callback (payment results) — the event that caused it was never projected, or came from
 *   elsewhere;
 * - no `OrderPlaced` at all;
 * - more than 30 s between two consecutive events (a backorder or an approval may explain it).
 */
export function findGaps(events: readonly TimelineEvent[]): Gap[] {
  const gaps: Gap[] = [];
  const ids = new Set(events.map((event) => event.eventId));
  const requests = requestIds(events);
  if (!events.some((event) => event.eventType === 'OrderPlaced') && events.length > 0)
    gaps.push({
      kind: 'missing-placement',
      eventId: null,
      message: 'no OrderPlaced in the timeline: the placement was not projected (yet)',
    });
  for (const event of events) {
    if (causeOf(event, ids, requests) !== 'unknown') continue;
    gaps.push({
      kind: 'missing-cause',
      eventId: event.eventId,
      message: `${event.eventType} (${event.eventId}) was caused by ${event.causationId}, which is no event of this timeline and no request`,
    });
  }
  for (let index = 1; index < events.length; index += 1) {
    const before = events[index - 1];
    const after = events[index];
    if (!before || !after) continue;
    const seconds = (time(after.occurredAt) - time(before.occurredAt)) / 1000;
    if (seconds > TIME_GAP_SECONDS)
      gaps.push({
        kind: 'time',
        eventId: after.eventId,
        seconds: Math.round(seconds),
        message: `${Math.round(seconds)} s between ${before.eventType} and ${after.eventType}`,
      });
  }
  return gaps;
}

/**
 * Each event's traced deliveries, then its dead letters (named by event type within the order). A
 * traced delivery that ended in the dead letters is shown once, as its dead letter (which names it).
 */
function deliveriesOf(
  event: TimelineEvent,
  letters: readonly StuckDeadLetter[],
  spans: OrderSpans | undefined,
): Delivery[] {
  const lettered = letters.filter((letter) => letter.eventType === event.eventType);
  const traced: Delivery[] = (spans?.deliveries.get(event.eventId) ?? []).filter(
    (delivery) =>
      delivery.outcome !== 'dead_lettered' ||
      !lettered.some((letter) => letter.consumer === delivery.consumer),
  );
  return traced.concat(
    lettered.map((letter) => ({
      consumer: letter.consumer,
      outcome: 'dead-lettered' as const,
      deadLetterId: letter.id,
      failedAt: letter.failedAt,
      errorCode: letter.errorCode,
    })),
  );
}

export function buildTrace(input: {
  readonly order: OrderSummary;
  readonly timeline: readonly TimelineEvent[];
  readonly stuck?: StuckOrder | undefined;
  /** The order's spans from the trace backend, with the URL that shows a trace by id. */
  readonly spans?: { readonly found: OrderSpans; readonly traceUrl: (traceId: string) => string };
  readonly notes?: readonly string[];
  readonly now?: number;
}): Trace {
  const { order, timeline, stuck } = input;
  const now = input.now ?? Date.now();
  const events = [...timeline];
  const byId = new Map(events.map((event) => [event.eventId, event]));
  const ids = new Set(byId.keys());
  const requests = requestIds(events);
  const start = events[0] ? time(events[0].occurredAt) : 0;
  const placed = events.find((event) => event.eventType === 'OrderPlaced');
  const letters = stuck?.deadLetters ?? [];
  const traced: TracedEvent[] = events.map((event) => ({
    ...event,
    offsetMs: time(event.occurredAt) - start,
    causedBy: causeOf(event, ids, requests),
    causeEventType: byId.get(event.causationId)?.eventType ?? null,
    outbox: input.spans?.found.publications.get(event.eventId) ?? null,
    deliveries: deliveriesOf(event, letters, input.spans?.found),
  }));

  const traceId = input.spans?.found.traceId ?? null;
  let waitingOn: WaitingOn | null = null;
  if (stuck) {
    waitingOn = {
      ...stuck.waitingOn,
      since: stuck.updatedAt,
      forSeconds: stuck.stuckForSeconds,
      source: 'stuck-orders',
    };
  } else {
    const inferred = waitingOnFromStatus(order.status, order.cancellationReason);
    const since = order.updatedAt ?? order.createdAt;
    if (inferred && since)
      waitingOn = {
        ...inferred,
        since,
        forSeconds: Math.max(0, Math.floor((now - time(since)) / 1000)),
        source: 'status',
      };
  }

  return {
    orderId: order.orderId,
    status: order.status,
    cancellationReason: order.cancellationReason ?? null,
    correlationId: placed?.correlationId ?? events[0]?.correlationId ?? null,
    traceId,
    traceUrl: traceId && input.spans ? input.spans.traceUrl(traceId) : null,
    traceIds: input.spans?.found.traceIds ?? [],
    events: traced,
    waitingOn,
    deadLetters: letters,
    gaps: findGaps(events),
    notes: input.notes ?? [],
  };
}

/** Distinct producers of a trace's events, in order of first appearance. */
export function producers(trace: Pick<Trace, 'events'>): string[] {
  return [...new Set(trace.events.map((event) => event.producer))];
}
