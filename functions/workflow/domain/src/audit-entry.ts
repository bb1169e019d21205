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
  // The saga decides about an order; an approver about an approval.
  const bySagaOnOrder = (orderId: string) => ({
    ...decision,
    entityType: 'order',
    entityId: orderId,
    actorSubject: SYSTEM,
    actorUsername: SYSTEM,
  });
  const byApproverOn = (approvalId: string, username: string) => ({
    ...decision,
    entityType: 'approval',
    entityId: approvalId,
    actorSubject: approverSubject,
    actorUsername: username,
  });
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
        ...bySagaOnOrder(event.payload.orderId),
        outcome: 'CONFIRMED',
        details: { total: event.payload.total, currency: event.payload.currency },
      };
    case 'OrderCancelled':
      return {
        ...bySagaOnOrder(event.payload.orderId),
        outcome: 'CANCELLED',
        details: { reason: event.payload.reason },
      };
    case 'ApprovalGranted':
      return {
        ...byApproverOn(event.payload.approvalId, event.payload.decidedBy),
        outcome: 'GRANTED',
        details: {
          orderId: event.payload.orderId,
          ...(event.payload.comment === null ? {} : { comment: event.payload.comment }),
        },
      };
    case 'ApprovalRejected':
      return {
        ...byApproverOn(event.payload.approvalId, event.payload.decidedBy),
        outcome: 'REJECTED',
        details: { orderId: event.payload.orderId, reason: event.payload.reason },
      };
  }
}
