-- Platform tables that every service database has: the transactional outbox and the inbox.

-- Events staged in the same transaction as the state change; the service's relay publishes them
-- to Kafka in id order and deletes them once the broker acknowledged (ADR-0003).
create table atlas_outbox (
  id bigint generated always as identity primary key,
  event_id uuid not null unique,
  event_type text not null,
  topic text not null,
  aggregate_id text not null,
  event jsonb not null,
  created_at timestamptz not null default clock_timestamp()
);

-- Wakes the relay at commit time instead of waiting for its next poll.
create function atlas_outbox_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('atlas_outbox', '');
  return null;
end;
$$;

create trigger atlas_outbox_notify
  after insert on atlas_outbox
  for each statement execute function atlas_outbox_notify();

-- One row per (consumer function, event) already applied; inserted in the same transaction as the
-- effect, so a redelivered event finds its row and is acknowledged without a second effect.
create table atlas_inbox (
  consumer text not null,
  event_id uuid not null,
  event_type text not null,
  received_at timestamptz not null default clock_timestamp(),
  primary key (consumer, event_id)
);
