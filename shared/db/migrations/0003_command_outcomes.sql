-- The answer of every command that committed an effect, written in the effect's own transaction
-- (ADR-0033). Redis holds the fast path of Idempotency-Key handling; this row is what survives a
-- crash between the commit and Redis: a retry whose key Redis no longer holds finds it here and
-- gets the first answer instead of a second effect. Kept 24 h, as the contract keeps keys.
create table atlas_command_outcomes (
  scope text not null,
  route text not null,
  idempotency_key text not null,
  fingerprint text not null,
  status int not null,
  headers jsonb not null,
  body text not null,
  created_at timestamptz not null default clock_timestamp(),
  primary key (scope, route, idempotency_key)
);

create index atlas_command_outcomes_by_age on atlas_command_outcomes (created_at);
