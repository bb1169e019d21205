import { randomUUID } from 'node:crypto';
import { ValidationError } from '@atlas/errors';
import type { FieldViolation } from '@atlas/errors';
import { EVENT_CATALOG } from './catalog.ts';
import type { AtlasEvent } from './envelope.ts';
import { deepFreeze } from './freeze.ts';
import type { EventPayloads, EventType } from './payloads.ts';
import { avroTypeOf } from './schemas.ts';
import { avroViolations, formatViolations } from './validate.ts';

/** Who emits the event and what caused it; the factory fills in the rest of the envelope. */
export interface EventContext {
  /** Emitting service, e.g. `"order"`. */
  readonly producer: string;
  readonly correlationId: string;
  /** eventId of the event (or id of the request) that caused this one. */
  readonly causationId: string;
  /** Overrides the aggregate id the catalog derives from the payload. */
  readonly aggregateId?: string;
  /** Time of the state change; defaults to now. */
  readonly occurredAt?: Date;
}

/** Throws a ValidationError naming every path where `event` breaks its schema or formats. */
export function assertValidEvent(event: AtlasEvent): void {
  const violations: FieldViolation[] = [
    ...avroViolations(avroTypeOf(event.eventType), event),
    ...formatViolations(event),
  ];
  if (violations.length > 0) {
    const paths = violations.map((violation) => violation.path).join(', ');
    throw new ValidationError(`Invalid ${event.eventType} event at ${paths}`, violations);
  }
}

/**
 * Builds a complete, validated, deeply frozen event: a fresh UUID, `occurredAt`, the catalog's
 * version and aggregate, then the payload checked against the Avro schema with undeclared
 * fields rejected.
 *
 * @throws ValidationError with one violation per invalid path (e.g. `payload.lines.0.quantity`).
 * @example
 * const event = createEvent('OrderConfirmed', { orderId, total: '19.99', currency: 'EUR' }, {
 *   producer: 'order', correlationId, causationId: paymentEvent.eventId,
 * });
 */
export function createEvent<T extends EventType>(
  eventType: T,
  payload: EventPayloads[T],
  context: EventContext,
): AtlasEvent<T> {
  const entry = EVENT_CATALOG[eventType];
  // structuredClone so freezing never reaches the caller's objects.
  const ownPayload = structuredClone(payload);
  const event = {
    eventId: randomUUID(),
    eventType,
    eventVersion: entry.version,
    occurredAt: (context.occurredAt ?? new Date()).toISOString(),
    producer: context.producer,
    correlationId: context.correlationId,
    causationId: context.causationId,
    aggregateType: entry.aggregateType,
    aggregateId: context.aggregateId ?? entry.aggregateId(ownPayload),
    payload: ownPayload,
  } as AtlasEvent<T>;
  assertValidEvent(event);
  return deepFreeze(event);
}
