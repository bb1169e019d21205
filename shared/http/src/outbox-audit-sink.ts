import { transaction, type Sql, type TransactionSql } from '@atlas/db';
import { createEvent } from '@atlas/events';
import { appendEvent } from '@atlas/outbox';
import type { AuditRecord, AuditSink } from './middleware/audit.ts';

/**
 * Stages each audit record as an `AuditRecorded` event in the service's own outbox; its relay
 * publishes it to `atlas.workflow.events.v1`, where workflow's record-audit appends it to the
 * audit log (ADR-0027). A command's record goes in the command's own transaction (`stage`); what
 * has no transaction of its own (a refusal, a replay) gets one (`record`).
 */
export function outboxAuditSink(sql: Sql, producer: string): AuditSink {
  const stage = async (
    tx: TransactionSql,
    { correlationId, at, ...payload }: AuditRecord,
  ): Promise<void> => {
    const event = createEvent('AuditRecorded', payload, {
      producer,
      correlationId,
      causationId: correlationId,
      occurredAt: at,
    });
    await appendEvent(tx, event);
  };
  return {
    stage,
    record: (entry) => transaction(sql, (tx) => stage(tx, entry)),
  };
}
