import type { AtlasError } from '@atlas/errors';
import { MalformedEventError, PROBLEM_CONTENT_TYPE, asAtlasError, toProblem } from '@atlas/errors';
import { transaction, type Sql, type TransactionSql } from '@atlas/db';
import {
  createEvent,
  type AtlasEvent,
  type EventCodec,
  type EventPayloads,
  type EventType,
} from '@atlas/events';
import type { HttpEvent, HttpEventHandler, HttpResult } from '@atlas/http';
import {
  counter,
  histogram,
  tagActiveSpan,
  type Logger,
  type Registry,
} from '@atlas/observability';
import { appendEvent } from '@atlas/outbox';
import { appliedBefore, recordInInbox } from './inbox.ts';

/** What a consumer's handler may do besides writing its own tables in `tx`. */
export interface EventHandlerContext {
  /** Stages a follow-up event in the outbox, caused by the event being handled. */
  readonly emit: <T extends EventType>(
    eventType: T,
    payload: EventPayloads[T],
    options?: { aggregateId?: string },
  ) => Promise<void>;
  readonly logger: Logger;
}

export interface EventFunctionSpec<T extends EventType> {
  /**
   * The consumer's name: its inbox scope, so two functions of one service both see an event once
   * each. A consumer takes it from its `function.json` (`definition.name`), as it does `service`.
   */
  readonly name: string;
  /** The producing service written into emitted events. */
  readonly service: string;
  readonly eventTypes: readonly T[];
  /**
   * Whether an event of a handled type asks anything of this consumer, decided from the event
   * alone. When it answers false the event is acknowledged as `ignored` without a transaction or
   * an inbox row (there is no effect to apply once), which spares the database a commit. Leave it
   * out when only the database can tell.
   */
  readonly concerns?: (event: AtlasEvent<T>) => boolean;
  readonly handle: (
    tx: TransactionSql,
    event: AtlasEvent<T>,
    context: EventHandlerContext,
  ) => Promise<void>;
}

export interface EventFunctionDependencies {
  readonly sql: Sql;
  readonly codec: EventCodec;
  readonly logger: Logger;
  readonly registry: Registry;
}

// A KafkaSource sends these straight to the dead letters when it sees them, so a permanent failure
// must never use one of them (Knative retries 404, 408, 409 and 429).
const RETRIED_4XX = new Set([404, 408, 409, 429]);
const REQUIRED_ATTRIBUTES = ['ce-id', 'ce-type', 'ce-source', 'ce-specversion'] as const;

/**
 * OpenFaaS's Kafka connector does not speak CloudEvents: it sends each Kafka header of the record
 * as `X-Kafka-<header>`, so the `ce_id` our relays write arrives as `x-kafka-ce_id`
 * (docs/openfaas.md). Read there when the binary-mode `ce-id` is absent.
 */
function connectorHeaderOf(attribute: string): string {
  return `x-kafka-${attribute.replace(/^ce-/, 'ce_')}`;
}

function statusFor(error: AtlasError): number {
  if (error.retriable) return error.status >= 500 ? error.status : 503;
  if (error.status >= 500) return error.status;
  return RETRIED_4XX.has(error.status) ? 422 : error.status;
}

/**
 * A function that consumes Atlas events delivered as binary-mode CloudEvents over HTTP, exactly as
 * a Knative KafkaSource delivers them. For each event, in one database transaction: the handler's
 * effect, any events it emits and the inbox row (dedupe by eventId per consumer). The inbox row and
 * the outbox rows go with the COMMIT, so a delivery costs the handler's own round trips and one
 * more; a redelivery fails on the inbox row, is rolled back and answered as a duplicate.
 *
 * Answers follow KafkaSource semantics: 2xx = done (also for a duplicate or an event type this
 * function does not handle); a malformed event or a permanent failure = a 4xx the source does not
 * retry (to the dead letters at once); a transient failure = 5xx (retried with backoff).
 */
export function eventFunction<T extends EventType>(
  spec: EventFunctionSpec<T>,
  dependencies: EventFunctionDependencies,
): HttpEventHandler {
  const labels = ['consumer', 'eventType', 'outcome'];
  const handled = counter(
    dependencies.registry,
    'atlas_events_handled_total',
    'Events handled by outcome',
    labels,
  );
  const duration = histogram(
    dependencies.registry,
    'atlas_event_handling_duration_seconds',
    'Event handling duration',
    labels,
  );
  const handles = new Set<string>(spec.eventTypes);
  // Asked only when handling failed; a database that cannot answer leaves the failure as it is.
  const wasAppliedBefore = (eventId: string): Promise<boolean> =>
    appliedBefore(dependencies.sql, spec.name, eventId).catch(() => false);

  return async (request: HttpEvent): Promise<HttpResult> => {
    const started = process.hrtime.bigint();
    const attribute = (name: string): string | undefined =>
      request.headers[name] ?? request.headers[connectorHeaderOf(name)];
    let eventType = attribute('ce-type') ?? 'unknown';
    // Bound once the event is decoded; before that, lines carry the CloudEvent's own attributes.
    let logger: Logger | undefined;
    let decodedEvent: AtlasEvent | undefined;

    const finish = (status: number, outcome: string, error?: unknown): HttpResult => {
      const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
      duration.observe({ consumer: spec.name, eventType, outcome }, latencyMs / 1000);
      handled.inc({ consumer: spec.name, eventType, outcome });
      // What the inbox made of it (applied, duplicate, ignored, …), for `atlas trace`.
      tagActiveSpan({ 'atlas.inbox_outcome': outcome });
      const line = {
        ...(logger
          ? {}
          : { eventId: attribute('ce-id'), correlationId: attribute('ce-correlationid') }),
        consumer: spec.name,
        eventType,
        outcome,
        status,
        latencyMs: Math.round(latencyMs * 10) / 10,
      };
      const log = logger ?? dependencies.logger;
      if (status >= 500) log.error({ ...line, err: error }, 'event failed; the source will retry');
      else if (status >= 400)
        log.warn({ ...line, err: error }, 'event rejected; the source dead-letters it');
      // A KafkaSource delivers every record of its topics; most of a topic is not this
      // consumer's business, and a line per such record would be most of the log.
      else if (outcome === 'ignored') log.debug(line, 'event ignored');
      else log.info(line, 'event handled');
      if (!error) return { status, headers: {}, body: '' };
      const problem = toProblem(error, {
        instance: `/events/${attribute('ce-id') ?? 'unknown'}`,
        correlationId: attribute('ce-correlationid') ?? '',
      });
      return {
        status,
        headers: { 'content-type': PROBLEM_CONTENT_TYPE },
        body: JSON.stringify({ ...problem, status }),
      };
    };

    try {
      const missing = REQUIRED_ATTRIBUTES.filter((name) => !attribute(name));
      if (missing.length > 0)
        throw new MalformedEventError(
          `Not a binary-mode CloudEvent: missing ${missing.join(', ')}`,
        );
      if (attribute('ce-specversion') !== '1.0')
        throw new MalformedEventError(
          `Unsupported CloudEvents specversion ${attribute('ce-specversion') ?? ''}`,
        );
      // A KafkaSource delivers every record of the topic; the types this function ignores are done.
      if (!handles.has(eventType)) return finish(200, 'ignored');

      const decoded = await dependencies.codec.decode(request.rawBody);
      if (decoded.eventId !== attribute('ce-id') || decoded.eventType !== eventType) {
        throw new MalformedEventError(
          `ce-id/ce-type (${attribute('ce-id') ?? ''}/${eventType}) disagree with the event (${decoded.eventId}/${decoded.eventType})`,
        );
      }
      const event = decoded as AtlasEvent<T>;
      eventType = event.eventType;
      if (spec.concerns && !spec.concerns(event)) return finish(200, 'ignored');
      tagActiveSpan(
        {
          'atlas.consumer': spec.name,
          'atlas.event_type': event.eventType,
          'atlas.event_id': event.eventId,
          'atlas.aggregate_id': event.aggregateId,
          'atlas.correlation_id': event.correlationId,
        },
        `handle ${event.eventType}`,
      );
      const eventLogger = dependencies.logger.child({
        eventId: event.eventId,
        correlationId: event.correlationId,
        causationId: event.causationId,
      });
      logger = eventLogger;

      decodedEvent = event;
      await transaction(dependencies.sql, async (tx) => {
        await spec.handle(tx, event, {
          logger: eventLogger,
          emit: async (type, payload, options) => {
            const followUp = createEvent(type, payload, {
              producer: spec.service,
              correlationId: event.correlationId,
              causationId: event.eventId,
              ...(options?.aggregateId === undefined ? {} : { aggregateId: options.aggregateId }),
            });
            await appendEvent(tx, followUp);
          },
        });
        // Last, with the COMMIT: a redelivery fails here (or earlier, when the handler refuses a
        // state its own first delivery made) and rolls back whatever the handler did.
        await recordInInbox(tx, spec.name, event);
      });
      return finish(200, 'applied');
    } catch (error) {
      if (decodedEvent && (await wasAppliedBefore(decodedEvent.eventId)))
        return finish(200, 'duplicate');
      const atlasError = asAtlasError(error);
      return finish(statusFor(atlasError), atlasError.retriable ? 'retry' : 'rejected', error);
    }
  };
}
