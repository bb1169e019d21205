import type { AuditOutcome, AuditRecordedPayload } from '@atlas/events';
import type { Logger } from '@atlas/observability';
import type { TransactionSql } from '@atlas/db';
import type { HttpEvent, HttpResult, StageOutcome } from '../types.ts';

export type { AuditOutcome } from '@atlas/events';

/**
 * What the audit trail keeps of one command (ADR-0027): the `AuditRecorded` payload (who, what,
 * about which entity, how it ended), plus when and the correlation id, which travel in the
 * event's envelope. Never the token, never the request body.
 */
export interface AuditRecord extends AuditRecordedPayload {
  readonly correlationId: string;
  readonly at: Date;
}

/** Where audit records go; `runHttpFunction` stages them in the service's outbox. */
export interface AuditSink {
  /** Records an entry on its own (a refusal, a replay, a failure: nothing else to commit with). */
  record(entry: AuditRecord): Promise<void>;
  /**
   * Stages an entry in the command's own transaction, so the effect and its audit record commit
   * together or not at all (a crash between two transactions would lose the record).
   */
  stage(tx: TransactionSql, entry: AuditRecord): Promise<void>;
}

/**
 * What a command is about, as its `function.json` route declares it: the entity type, and its id
 * in a route parameter (`:orderId`) or a field of a successful answer (`response.orderId`).
 */
export interface AuditEntityDeclaration {
  readonly entityType: string;
  readonly id?: string;
}

export interface AuditedRoute {
  readonly name: string;
  readonly method: string;
  readonly route: string;
  /** Every command of the catalog declares one (the catalog refuses one that does not). */
  readonly audit?: AuditEntityDeclaration;
}

function createdId(result: HttpResult, field: string): string | null {
  if (result.status >= 300) return null;
  try {
    const body = JSON.parse(result.body) as unknown;
    const value =
      typeof body === 'object' && body !== null
        ? (body as Record<string, unknown>)[field]
        : undefined;
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

/**
 * The entity a command is about, from its declaration: `:param` reads the route parameter,
 * `response.field` the id a successful answer names (a create); a command declaring none is
 * recorded as `undeclared`.
 */
export function auditEntityOf(
  entity: AuditEntityDeclaration | undefined,
  params: Readonly<Record<string, unknown>>,
  result: HttpResult,
): { readonly entityType: string; readonly entityId: string | null } {
  if (!entity) return { entityType: 'undeclared', entityId: null };
  const { id } = entity;
  if (id?.startsWith(':')) {
    const value = params[id.slice(1)];
    return { entityType: entity.entityType, entityId: typeof value === 'string' ? value : null };
  }
  if (id?.startsWith('response.'))
    return {
      entityType: entity.entityType,
      entityId: createdId(result, id.slice('response.'.length)),
    };
  return { entityType: entity.entityType, entityId: null };
}

export function outcomeOf(status: number): AuditOutcome {
  return status < 400 ? 'SUCCEEDED' : status < 500 ? 'REJECTED' : 'FAILED';
}

/** The audit record of an answered command, or undefined for an anonymous caller. */
export function auditRecordOf(
  route: AuditedRoute,
  event: HttpEvent,
  result: HttpResult,
): AuditRecord | undefined {
  // Without a verified token there is no "who": anonymous 401s are noise an attacker controls.
  if (!event.principal) return undefined;
  return {
    subject: event.principal.subject,
    username: event.principal.username,
    action: route.name,
    method: route.method,
    route: route.route,
    ...auditEntityOf(route.audit, event.params, result),
    status: result.status,
    outcome: outcomeOf(result.status),
    replayed: event.idempotentReplay !== undefined,
    correlationId: event.correlationId,
    at: new Date(),
  };
}

/**
 * The audit of one command: `stage` for the handler, to call inside the transaction of its effect
 * with the answer it is about to give; `afterAnswer` for the chain, which records whatever was not
 * staged with that same answer (refusals, replays, failures, and a staged answer that never got
 * out because something failed after it). A sink failure after the answer is logged with the
 * record and never changes the answer: the command has already committed, and failing its
 * response would invite a retry that runs it twice.
 */
export function auditOf(
  route: AuditedRoute,
  sink: AuditSink,
  event: HttpEvent,
): { stage: StageOutcome; afterAnswer: (result: HttpResult) => Promise<void> } {
  let stagedStatus: number | undefined;
  return {
    stage: async (tx, result) => {
      const entry = auditRecordOf(route, event, result);
      if (!entry) return;
      await sink.stage(tx, entry);
      stagedStatus = result.status;
    },
    afterAnswer: async (result) => {
      if (stagedStatus === result.status) return;
      await recordAfterAnswer(route, sink, event, result);
    },
  };
}

async function recordAfterAnswer(
  route: AuditedRoute,
  sink: AuditSink,
  event: HttpEvent,
  result: HttpResult,
): Promise<void> {
  const entry = auditRecordOf(route, event, result);
  if (!entry) return;
  try {
    await sink.record(entry);
  } catch (error) {
    event.logger.error({ err: error, audit: entry }, 'could not record the audit entry');
  }
}

/** A sink for functions without an outbox (no relay publishes it): the record becomes a log line. */
export function logAuditSink(logger: Logger): AuditSink {
  const record = async (entry: AuditRecord): Promise<void> => {
    logger.info({ audit: entry }, 'command audited');
  };
  return { record, stage: (_tx, entry) => record(entry) };
}
