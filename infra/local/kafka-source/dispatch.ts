import { performance } from 'node:perf_hooks';
import type { EachMessagePayload, Producer } from 'kafkajs';
import {
  SpanKind,
  activeTraceparent,
  inSpan,
  tagActiveSpan,
  type Logger,
} from '@atlas/observability';
import type { Chaos } from './chaos.ts';
import { toHttpCloudEvent, type HttpCloudEvent } from './cloudevent.ts';
import { DeadLetterWriteError, deadLetterMessage } from './dead-letter.ts';
import { deliverWithRetry } from './deliver.ts';
import type { DeliveryMetrics } from './metrics.ts';
import { sleep } from './retry.ts';
import type { KafkaSourceDefinition, KafkaSourcesOptions } from './sources.ts';

/** What one source's handler needs; built once per source at start. */
export interface SourceContext {
  readonly definition: KafkaSourceDefinition;
  readonly url: string;
  /** Source topic → its domain's dead-letter topic (a source may read several domains). */
  readonly dlqOf: ReadonlyMap<string, string>;
  readonly producer: Producer;
  readonly metrics: DeliveryMetrics;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Injected duplicates and hold-backs; inert unless a drill arms it. */
  readonly chaos: Chaos;
  readonly settings: Required<
    Pick<KafkaSourcesOptions, 'backoffMs' | 'retries' | 'timeoutMs' | 'post'>
  >;
}

/** Retries of an injected duplicate: the record itself was delivered, so a lost duplicate costs nothing. */
const DUPLICATE_RETRIES = 2;

/** An injected duplicate, `afterMs` from now; its outcome is counted, never awaited. */
function deliverAgainLater(context: SourceContext, event: HttpCloudEvent, afterMs: number): void {
  const { definition, metrics, settings } = context;
  setTimeout(() => {
    deliverWithRetry({
      url: context.url,
      event,
      ...settings,
      retries: DUPLICATE_RETRIES,
      signal: context.signal,
      heartbeat: () => Promise.resolve(),
    }).then(
      (result) =>
        metrics.deliveries.inc({
          function: definition.name,
          outcome: result.outcome === 'delivered' ? 'duplicate' : 'duplicate_failed',
        }),
      () => undefined,
    );
  }, afterMs).unref();
}

/**
 * Handles one record of a source: delivers it, or dead-letters it; resolves only when one of the
 * two is done, since the record's offset is committed once this resolved (offset-commits.ts).
 *
 * The delivery is a span of its own, child of the record's publish span (its `ce_traceparent`);
 * the function's span follows it through the `traceparent` header, as Knative's dispatcher sends it.
 */
export async function handleRecord(
  context: SourceContext,
  payload: EachMessagePayload,
): Promise<void> {
  const { topic, partition, message } = payload;
  const event = toHttpCloudEvent({ topic, partition, ...message }, context.definition.name);
  await inSpan(
    {
      name: `deliver ${event.headers['ce-type'] ?? 'record'}`,
      kind: SpanKind.CONSUMER,
      parent: event.headers['ce-traceparent'],
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.consumer.group.name': context.definition.name,
        'atlas.consumer': context.definition.name,
        'atlas.event_id': event.id,
      },
    },
    () => {
      const traceparent = activeTraceparent();
      return deliverRecord(
        context,
        payload,
        traceparent ? { ...event, headers: { ...event.headers, traceparent } } : event,
      );
    },
  );
}

async function deliverRecord(
  context: SourceContext,
  payload: EachMessagePayload,
  event: HttpCloudEvent,
): Promise<void> {
  const { definition, url, metrics, settings } = context;
  const { topic, partition, message } = payload;
  const heartbeat = (): Promise<void> => payload.heartbeat();
  const record = { topic, partition, ...message };
  const where = { topic, partition, offset: message.offset, eventId: event.id };
  // Only a retry or a failure logs; a child logger per delivered record would be pure overhead.
  const log = (): Logger => context.logger.child(where);
  const started = performance.now();
  const observe = (outcome: string): void => {
    tagActiveSpan({ 'atlas.delivery_outcome': outcome });
    metrics.deliveries.inc({ function: definition.name, outcome });
    metrics.latency.observe(
      { function: definition.name, outcome },
      (performance.now() - started) / 1000,
    );
  };

  const holdBackMs = context.chaos.holdBackMs();
  if (holdBackMs > 0) await sleep(holdBackMs, context.signal);
  const result = await deliverWithRetry({
    url,
    event,
    ...settings,
    signal: context.signal,
    heartbeat,
    onRetry: (retry, status, delayMs) => {
      metrics.retries.inc({ function: definition.name });
      log().warn({ attempt: retry, status, delayMs }, 'delivery failed, retrying');
    },
  });
  tagActiveSpan({ 'atlas.delivery_attempts': result.attempts });
  if (result.outcome === 'delivered') {
    observe('delivered');
    const duplicateAfterMs = context.chaos.duplicateAfterMs();
    if (duplicateAfterMs !== undefined) deliverAgainLater(context, event, duplicateAfterMs);
    return;
  }

  const dlq = context.dlqOf.get(topic);
  if (dlq === undefined) throw new Error(`${definition.name} is not subscribed to ${topic}`);
  try {
    await context.producer.send({
      topic: dlq,
      acks: -1,
      messages: [
        deadLetterMessage({
          record,
          result,
          sinkUrl: url,
          consumer: definition.name,
          failedAt: new Date(),
        }),
      ],
    });
  } catch (error) {
    observe('failed');
    log().error(
      { err: error, attempt: result.attempts, status: result.status, dlq },
      'dead-letter write failed; the event stays uncommitted and will be delivered again',
    );
    // Knative acknowledges the record once the dead-letter sink was tried, so a failing DLQ
    // loses the event. Throwing here keeps the offset uncommitted: kafkajs seeks back and the
    // record is delivered again, in order, until it reaches the function or the DLQ.
    throw new DeadLetterWriteError(dlq, error);
  }
  observe('dead_lettered');
  metrics.deadLetters.inc({ function: definition.name, reason: result.outcome });
  log().error(
    { attempt: result.attempts, status: result.status, dlq, reason: result.outcome },
    'event dead-lettered',
  );
}
