import type { AtlasEvent } from '@atlas/events';

/** The events record-audit writes to the trail: commands, and the saga's decisions. */
export const AUDITED_EVENT_TYPES = [
  'AuditRecorded',
  'OrderConfirmed',
  'OrderCancelled',
  'ApprovalGranted',
  'ApprovalRejected',
] as const;

export type AuditedEventType = (typeof AUDITED_EVENT_TYPES)[number];

/** One of them, discriminated on `eventType` so the payload narrows. */
export type AuditedEvent = { [K in AuditedEventType]: AtlasEvent<K> }[AuditedEventType];

/** The decider the order service stands for: decisions taken by the saga, not by a person. */
const SYSTEM = 'system';

/** One row of the audit trail (ADR-0027). */
export interface AuditEntry {
  readonly eventId: string;
  readonly kind: 'COMMAND' | 'DECISION';
  readonly entityType: string;
  readonly entityId: string | null;
  readonly action: string;
  readonly actorSubject: string | null;
  readonly actorUsername: string;
  readonly method: string | null;
  readonly route: string | null;
  readonly status: number | null;
  readonly outcome: string;
  readonly replayed: boolean;
  readonly details: Readonly<Record<string, string>> | null;
  readonly correlationId: string;
  readonly producer: string;
  readonly occurredAt: string;
}

/**
 * The trail's entry for an event. `approverSubject` is the subject Workflow stored with an
 * approval decision, since the decision events carry only the approver's username.
 */
export function auditEntryOf(event: AuditedEvent, approverSubject: string | null): AuditEntry {
  const envelope = {
    eventId: event.eventId,
    correlationId: event.correlationId,
    producer: event.producer,
    occurredAt: event.occurredAt,
  };
  const decision = {
    ...envelope,
    kind: 'DECISION' as const,
    action: event.eventType,
    method: null,
    route: null,
    status: null,
    replayed: false,
  };
  switch (event.eventType) {
    case 'AuditRecorded': {
      const { payload } = event;
      return {
        ...envelope,
        kind: 'COMMAND',
        entityType: payload.entityType,
        entityId: payload.entityId,
        action: payload.action,
        actorSubject: payload.subject,
        actorUsername: payload.username,
        method: payload.method,
        route: payload.route,
        status: payload.status,
        outcome: payload.outcome,
        replayed: payload.replayed,
        details: null,
      };
    }
    case 'OrderConfirmed':
      return {
        ...decision,
        entityType: 'order',
        entityId: event.payload.orderId,
        actorSubject: SYSTEM,
        actorUsername: SYSTEM,
        outcome: 'CONFIRMED',
        details: { total: event.payload.total, currency: event.payload.currency },
      };
    case 'OrderCancelled':
      return {
        ...decision,
        entityType: 'order',
        entityId: event.payload.orderId,
        actorSubject: SYSTEM,
        actorUsername: SYSTEM,
        outcome: 'CANCELLED',
        details: { reason: event.payload.reason },
      };
    case 'ApprovalGranted':
      return {
        ...decision,
        entityType: 'approval',
        entityId: event.payload.approvalId,
        actorSubject: approverSubject,
        actorUsername: event.payload.decidedBy,
        outcome: 'GRANTED',
        details: {
          orderId: event.payload.orderId,
          ...(event.payload.comment === null ? {} : { comment: event.payload.comment }),
        },
      };
    case 'ApprovalRejected':
      return {
        ...decision,
        entityType: 'approval',
        entityId: event.payload.approvalId,
        actorSubject: approverSubject,
        actorUsername: event.payload.decidedBy,
        outcome: 'REJECTED',
        details: { orderId: event.payload.orderId, reason: event.payload.reason },
      };
  }
}
