import type { EventPayloads, EventType } from './payloads.ts';

/** The fields every event starts with (contract §5, `schemas/envelope.avsc`). */
export interface EventEnvelope<T extends EventType = EventType> {
  /** UUID; consumers dedupe on it in their inbox. */
  readonly eventId: string;
  readonly eventType: T;
  readonly eventVersion: number;
  /** ISO-8601 UTC with milliseconds, e.g. `"2026-11-28T10:15:30.123Z"`. */
  readonly occurredAt: string;
  readonly producer: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly aggregateType: string;
  /** Also the Kafka record key. */
  readonly aggregateId: string;
}

/** One event of type `T`: the envelope plus its typed payload. */
export type AtlasEvent<T extends EventType = EventType> = EventEnvelope<T> & {
  readonly payload: EventPayloads[T];
};

/** Any Atlas event, discriminated on `eventType` so a `switch` narrows the payload. */
export type AnyAtlasEvent = { [K in EventType]: AtlasEvent<K> }[EventType];
