/**
 * What `atlas trace` reads from the trace backend: the spans of an order's traces (Zipkin's v2
 * JSON), turned into the order's trace id and each event's deliveries. Pure; the fetching is in
 * commands.ts.
 */

/** A span as Zipkin's `/api/v2/traces` returns it (the fields read here). */
export interface ZipkinSpan {
  readonly traceId: string;
  readonly id: string;
  readonly parentId?: string;
  readonly name?: string;
  readonly kind?: string;
  /** Epoch microseconds. */
  readonly timestamp?: number;
  /** Microseconds. */
  readonly duration?: number;
  readonly localEndpoint?: { readonly serviceName?: string };
  readonly tags?: Readonly<Record<string, string>>;
}

/** One delivery of an event to a consumer, as the KafkaSource's span recorded it. */
export interface TracedDelivery {
  readonly consumer: string;
  /** `delivered`, `dead_lettered` or `failed` (the dead-letter write failed; it is delivered again). */
  readonly outcome: string;
  readonly attempts: number | null;
  /** From the record's fetch to the consumer's answer, retries included. */
  readonly latencyMs: number | null;
  readonly at: string | null;
  /** What the consumer's inbox made of it: `applied`, `duplicate`, `ignored`, `retry`, `rejected`. */
  readonly inbox: string | null;
}

/** How an event left its producer's outbox, from the relay's publish span. */
export interface Publication {
  /** When the broker acknowledged it. */
  readonly publishedAt: string | null;
  /** From the commit that staged it to the broker's acknowledgement. */
  readonly outboxWaitMs: number | null;
}

export interface OrderSpans {
  /** The trace the order was placed in: the one holding the OrderPlaced publish span. */
  readonly traceId: string | null;
  /** Every trace the order's events appear in (a decision by an approver starts its own). */
  readonly traceIds: readonly string[];
  /** Deliveries by eventId, oldest first. */
  readonly deliveries: ReadonlyMap<string, readonly TracedDelivery[]>;
  /** Publications by eventId. */
  readonly publications: ReadonlyMap<string, Publication>;
}

const CONSUMER_KIND = 'CONSUMER';

function isoOf(micros: number | undefined): string | null {
  return micros === undefined ? null : new Date(micros / 1000).toISOString();
}

/** The order's traces put together: its trace id and, per event, who received it and how. */
export function orderSpans(traces: readonly (readonly ZipkinSpan[])[]): OrderSpans {
  let traceId: string | null = null;
  const traceIds: string[] = [];
  const deliveries = new Map<string, TracedDelivery[]>();
  const publications = new Map<string, Publication>();
  const byTime = [...traces].sort(
    (a, b) =>
      Math.min(...a.map((span) => span.timestamp ?? Infinity)) -
      Math.min(...b.map((span) => span.timestamp ?? Infinity)),
  );
  for (const spans of byTime) {
    const first = spans[0];
    if (!first) continue;
    traceIds.push(first.traceId);
    // The consumer's own span is the delivery's child: it says what the inbox did.
    const inboxOf = new Map(
      spans
        .filter((span) => span.kind === 'SERVER' && span.parentId)
        .map((span) => [span.parentId, span.tags?.['atlas.inbox_outcome'] ?? null]),
    );
    for (const span of spans) {
      const tags = span.tags ?? {};
      if (
        traceId === null &&
        tags['atlas.event_type'] === 'OrderPlaced' &&
        span.kind === 'PRODUCER'
      )
        traceId = span.traceId;
      const eventId = tags['atlas.event_id'];
      if (span.kind === 'PRODUCER' && eventId) {
        const end =
          span.timestamp === undefined ? undefined : span.timestamp + (span.duration ?? 0);
        const staged = Date.parse(tags['atlas.staged_at'] ?? '');
        publications.set(eventId, {
          publishedAt: isoOf(end),
          outboxWaitMs:
            end === undefined || Number.isNaN(staged)
              ? null
              : Math.max(0, Math.round(end / 1000 - staged)),
        });
      }
      if (span.kind !== CONSUMER_KIND || !eventId) continue;
      const attempts = Number(tags['atlas.delivery_attempts']);
      const list = deliveries.get(eventId) ?? [];
      list.push({
        consumer: tags['atlas.consumer'] ?? tags['messaging.consumer.group.name'] ?? 'unknown',
        outcome: tags['atlas.delivery_outcome'] ?? 'unknown',
        attempts: Number.isInteger(attempts) ? attempts : null,
        latencyMs: span.duration === undefined ? null : Math.round(span.duration / 100) / 10,
        at: isoOf(span.timestamp),
        inbox: inboxOf.get(span.id) ?? null,
      });
      deliveries.set(eventId, list);
    }
  }
  for (const list of deliveries.values())
    list.sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''));
  return { traceId, traceIds, deliveries, publications };
}
