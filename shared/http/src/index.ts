export { httpFunction } from './http-function.ts';
export { DeclarationError, declaredRoute } from './declared-route.ts';
export type { DeclaredHttpRoute, DeclaredRouteSpec, HttpDeclaration } from './declared-route.ts';
export type {
  HttpEventHandler,
  HttpFunctionDependencies,
  HttpFunctionSpec,
  HttpMethod,
  HttpMiddleware,
  ValidatedEvent,
} from './http-function.ts';
export { authenticate } from './middleware/authenticate.ts';
export { auditEntityOf } from './middleware/audit.ts';
export type {
  AuditEntityDeclaration,
  AuditOutcome,
  AuditRecord,
  AuditSink,
} from './middleware/audit.ts';
export { outboxAuditSink } from './outbox-audit-sink.ts';
export { observe } from './middleware/observe.ts';
export { idempotency, REPLAYED_HEADER } from './middleware/idempotency.ts';
export type { IdempotencyOptions } from './middleware/idempotency.ts';
export { BODY_LIMIT_BYTES } from './middleware/json-body.ts';
export type { RequestSchemas } from './middleware/validate.ts';
export { matchRoute } from './route.ts';
export { serve } from './serve.ts';
export { createUpstreamClient } from './upstream.ts';
export { forgetOldOutcomes, sqlCommandOutcomes } from './command-outcomes.ts';
export type { ClaimedKey, CommandOutcomes, CommittedOutcome } from './command-outcomes.ts';
export type { UpstreamAnswer, UpstreamCall, UpstreamRequest } from './upstream.ts';
export { serveFunctionProcess } from './serve-process.ts';
export type { FunctionProcessOptions } from './serve-process.ts';
export type { ReadinessCheck, Route, RunningFunction, ServeOptions } from './serve.ts';
export { json } from './types.ts';
export type { Headers, HttpEvent, HttpResult, StageOutcome } from './types.ts';
export { runHttpFunction, runStatelessHttpFunction } from './run-http-function.ts';
export type {
  HttpFunctionOptions,
  HttpRouteDependencies,
  StatelessHttpFunctionOptions,
} from './run-http-function.ts';
export { offsetOf, pageQueryShape } from './paging.ts';
export type { Page, PageRequest } from './paging.ts';
