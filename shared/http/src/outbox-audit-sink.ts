import { transaction, type Sql } from '@atlas/db';
import { createEvent } from '@atlas/events';
import { appendEvent } from '@atlas/outbox';
import type { AuditSink } from './middleware/audit.ts';

/**
 * Stages each audit record as an `AuditRecorded` event in the service's own outbox; its relay
 * publishes it to `atlas.workflow.events.v1`, where workflow's record-audit appends it to the
 * audit log (ADR-0027). Its own transaction, after the command's.
 */
export function outboxAuditSink(sql: Sql, producer: string): AuditSink {
  return {
    record: async ({ correlationId, at, ...payload }) => {
      const event = createEvent('AuditRecorded', payload, {
        producer,
        correlationId,
        causationId: correlationId,
        occurredAt: at,
      });
      await transaction(sql, (tx) => appendEvent(tx, event));
    },
  };
}
