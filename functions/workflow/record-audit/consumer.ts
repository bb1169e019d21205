import definition from './function.json' with { type: 'json' };
import type { EventFunctionSpec } from '@atlas/messaging';
import {
  AUDITED_EVENT_TYPES,
  appendAuditEntry,
  auditEntryOf,
  deciderSubjectOf,
  type AuditedEvent,
  type AuditedEventType,
} from '@atlas/workflow-domain';

/** record-audit (ADR-0027): each audited command and saga decision, one trail entry per event. */
export function recordAuditConsumer(): EventFunctionSpec<AuditedEventType> {
  return {
    name: definition.name,
    service: definition.service,
    eventTypes: AUDITED_EVENT_TYPES,
    handle: async (tx, received) => {
      // AtlasEvent<A | B> does not narrow its payload on eventType; the distributed union does.
      const event = received as AuditedEvent;
      const approverSubject =
        event.eventType === 'ApprovalGranted' || event.eventType === 'ApprovalRejected'
          ? await deciderSubjectOf(tx, event.payload.approvalId)
          : null;
      await appendAuditEntry(tx, auditEntryOf(event, approverSubject));
    },
  };
}
