import type { AtlasEvent } from '@atlas/events';
import { avroBodyOf, topicOf } from '@atlas/events';
import { stage, type TransactionSql } from '@atlas/db';
import { activeTraceparent } from '@atlas/observability';

/**
 * Stages an event in the service's outbox inside the caller's transaction: it is published if and
 * only if the state change commits (ADR-0003). The only way Atlas code emits an event. The insert
 * travels with the transaction's next statement or its COMMIT ({@link stage}): nothing reads it
 * back, so it costs no round trip of its own; if it fails, the transaction fails.
 *
 * @example
 * await transaction(sql, async (tx) => {
 *   await tx`update orders set status = 'CONFIRMED' where id = ${orderId}`;
 *   await appendEvent(tx, createEvent('OrderConfirmed', payload, context));
 * });
 */
export async function appendEvent(tx: TransactionSql, event: AtlasEvent): Promise<void> {
  // The span that caused the event (a request's or a delivery's) becomes its publish span's parent.
  const traceparent = activeTraceparent() ?? null;
  await stage(
    tx,
    tx`
    insert into atlas_outbox (event_id, event_type, topic, aggregate_id, event, avro, traceparent)
    values (${event.eventId}, ${event.eventType}, ${topicOf(event.eventType)}, ${event.aggregateId}, ${tx.json(JSON.parse(JSON.stringify(event)) as never)}, ${avroBodyOf(event)}, ${traceparent})`,
  );
}
