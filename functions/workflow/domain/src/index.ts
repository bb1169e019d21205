export {
  APPROVAL_STATUSES,
  SYSTEM_DECIDER,
  decideApproval,
  requiresApproval,
  toApprovalView,
} from './approval.ts';
export type {
  ApprovalRow,
  ApprovalStatus,
  ApprovalView,
  DecidedFields,
  Decider,
  Decision,
} from './approval.ts';
export {
  closeForCancelledOrder,
  decideApprovalById,
  listApprovals,
  openApproval,
} from './approval-store.ts';
export type { ApprovalFilter, PaidOrder } from './approval-store.ts';
export { MAX_DECISION_TEXT, approvalParamsSchema } from './approval-params.ts';
export { deciderOf } from './decider.ts';
export { AUDITED_EVENT_TYPES, auditEntryOf } from './audit-entry.ts';
export type { AuditEntry, AuditedEvent, AuditedEventType } from './audit-entry.ts';
export { appendAuditEntry, deciderSubjectOf, listAuditEntries } from './audit-store.ts';
export type { AuditEntryView, AuditFilter } from './audit-store.ts';
