-- The audit trail (ADR-0027): one row per command or saga decision, written once by record-audit,
-- never changed. Deduplicated by the event that carried it.
create table audit_log (
  entry_id bigint generated always as identity primary key,
  event_id uuid not null unique,
  kind text not null check (kind in ('COMMAND', 'DECISION')),
  entity_type text not null,
  entity_id text,
  action text not null,
  -- The token's subject; null for a decision whose event names only a username.
  actor_subject text,
  actor_username text not null,
  method text,
  route text,
  status int,
  outcome text not null,
  replayed boolean not null default false,
  -- What a decision decided (reason, comment, total); never a request body.
  details jsonb,
  correlation_id text not null,
  producer text not null,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null default clock_timestamp(),
  constraint audit_log_command_has_request check (
    kind <> 'COMMAND' or (method is not null and route is not null and status is not null)
  )
);

create index audit_log_by_entity on audit_log (entity_type, entity_id, occurred_at, entry_id);
create index audit_log_by_time on audit_log (occurred_at, entry_id);

-- Append-only for every role, the service's own included: a trail that can be edited proves nothing.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % is refused', tg_op
    using errcode = 'restrict_violation';
end;
$$;

create trigger audit_log_no_update_or_delete
  before update or delete on audit_log
  for each row execute function audit_log_append_only();

create trigger audit_log_no_truncate
  before truncate on audit_log
  for each statement execute function audit_log_append_only();
