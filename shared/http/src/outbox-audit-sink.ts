import type { Sql } from '@atlas/db';
import { avroBodyOf, createEvent, topicOf } from '@atlas/events';
import type { AuditSink } from './middleware/audit.ts';

/**
 * Stages each audit record as an `AuditRecorded` event in the service's own outbox; its relay
 * publishes it to `atlas.workflow.events.v1`, where workflow's record-audit appends it to the
 * audit log (ADR-0027). One statement, so it commits on its own, after the command's transaction.
 *
 * The insert is `appendEvent`'s (`@atlas/messaging`), repeated because messaging depends on this
 * package; a test (`functions/workflow/audit-sink.test.ts`) holds the two to the same row.
 */
export function outboxAuditSink(sql: Sql, producer: string): AuditSink {
  return {
    record: async (entry) => {
      const event = createEvent(
        'AuditRecorded',
        {
          subject: entry.subject,
          username: entry.username,
          action: entry.action,
          method: entry.method,
          route: entry.route,
          entityType: entry.entityType,
          entityId: entry.entityId,
          status: entry.status,
          outcome: entry.outcome,
          replayed: entry.replayed,
        },
        {
          producer,
          correlationId: entry.correlationId,
          causationId: entry.correlationId,
          occurredAt: entry.at,
        },
      );
      await sql`
        insert into atlas_outbox (event_id, event_type, topic, aggregate_id, event, avro)
        values (${event.eventId}, ${event.eventType}, ${topicOf(event.eventType)},
          ${event.aggregateId}, ${sql.json(JSON.parse(JSON.stringify(event)) as never)},
          ${avroBodyOf(event)})`;
    },
  };
}
