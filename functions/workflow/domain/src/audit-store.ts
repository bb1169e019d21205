import { stage, type Sql, type TransactionSql } from '@atlas/db';
import type { AuditEntry } from './audit-entry.ts';
import { offsetOf, type Page } from '@atlas/http';

/** The subject that decided an approval, as Workflow stored it; null when it has no such row. */
export async function deciderSubjectOf(
  tx: TransactionSql,
  approvalId: string,
): Promise<string | null> {
  const [row] = await tx<{ decided_by_subject: string | null }[]>`
    select decided_by_subject from approvals where approval_id = ${approvalId}`;
  return row?.decided_by_subject ?? null;
}

/**
 * Appends an entry; one already there for the same event is left as it is (redelivery). Staged:
 * nothing reads it back, so a trail entry costs the consumer no round trip of its own.
 */
export async function appendAuditEntry(tx: TransactionSql, entry: AuditEntry): Promise<void> {
  await stage(
    tx,
    tx`
    insert into audit_log (event_id, kind, entity_type, entity_id, action, actor_subject,
      actor_username, method, route, status, outcome, replayed, details, correlation_id, producer,
      occurred_at)
    values (${entry.eventId}, ${entry.kind}, ${entry.entityType}, ${entry.entityId},
      ${entry.action}, ${entry.actorSubject}, ${entry.actorUsername}, ${entry.method},
      ${entry.route}, ${entry.status}, ${entry.outcome}, ${entry.replayed},
      ${entry.details === null ? null : tx.json(entry.details)}, ${entry.correlationId},
      ${entry.producer}, ${entry.occurredAt})
    on conflict (event_id) do nothing`,
  );
}

/** An entry as the API answers it; fields that do not apply are left out. */
export interface AuditEntryView {
  readonly eventId: string;
  readonly kind: AuditEntry['kind'];
  readonly entityType: string;
  readonly entityId?: string;
  readonly action: string;
  readonly subject?: string;
  readonly username: string;
  readonly method?: string;
  readonly route?: string;
  readonly status?: number;
  readonly outcome: string;
  readonly replayed: boolean;
  readonly details?: Readonly<Record<string, string>>;
  readonly correlationId: string;
  readonly producer: string;
  readonly occurredAt: string;
}

interface AuditRow {
  readonly event_id: string;
  readonly kind: AuditEntry['kind'];
  readonly entity_type: string;
  readonly entity_id: string | null;
  readonly action: string;
  readonly actor_subject: string | null;
  readonly actor_username: string;
  readonly method: string | null;
  readonly route: string | null;
  readonly status: number | null;
  readonly outcome: string;
  readonly replayed: boolean;
  readonly details: Record<string, string> | null;
  readonly correlation_id: string;
  readonly producer: string;
  readonly occurred_at: Date;
}

function toView(row: AuditRow): AuditEntryView {
  return {
    eventId: row.event_id,
    kind: row.kind,
    entityType: row.entity_type,
    ...(row.entity_id === null ? {} : { entityId: row.entity_id }),
    action: row.action,
    ...(row.actor_subject === null ? {} : { subject: row.actor_subject }),
    username: row.actor_username,
    ...(row.method === null ? {} : { method: row.method }),
    ...(row.route === null ? {} : { route: row.route }),
    ...(row.status === null ? {} : { status: row.status }),
    outcome: row.outcome,
    replayed: row.replayed,
    ...(row.details === null ? {} : { details: row.details }),
    correlationId: row.correlation_id,
    producer: row.producer,
    occurredAt: row.occurred_at.toISOString(),
  };
}

export interface AuditFilter {
  readonly entityType?: string | undefined;
  readonly entityId?: string | undefined;
  readonly page: number;
  readonly pageSize: number;
}

/** A page of the trail, oldest first, of one entity, one entity type, or all. */
export async function listAuditEntries(
  sql: Sql,
  filter: AuditFilter,
): Promise<Page<AuditEntryView>> {
  const byType =
    filter.entityType === undefined ? sql`true` : sql`entity_type = ${filter.entityType}`;
  const byId = filter.entityId === undefined ? sql`true` : sql`entity_id = ${filter.entityId}`;
  const rows = await sql<AuditRow[]>`
    select event_id, kind, entity_type, entity_id, action, actor_subject, actor_username, method,
      route, status, outcome, replayed, details, correlation_id, producer, occurred_at
    from audit_log where ${byType} and ${byId}
    order by occurred_at, entry_id
    limit ${filter.pageSize} offset ${offsetOf(filter)}`;
  const [count] = await sql<{ total: number }[]>`
    select count(*)::int as total from audit_log where ${byType} and ${byId}`;
  return {
    items: rows.map(toView),
    page: filter.page,
    pageSize: filter.pageSize,
    total: count?.total ?? 0,
  };
}
