-- Read models of the reporting service, projected from every saga event (contract §3, §5).
-- Both are derived data: POST /v1/ops/projections/{name}/rebuild recreates them from the topics.

-- The timeline: one row per saga event, whichever service produced it. `event_id` unique makes
-- the projection idempotent: a redelivered event finds its row and changes nothing.
create table report_events (
  event_id uuid primary key,
  order_id text not null,
  event_type text not null,
  occurred_at timestamptz not null,
  correlation_id text not null,
  causation_id text not null,
  producer text not null,
  payload jsonb not null,
  -- Arrival order breaks ties between events of one millisecond (different services' clocks).
  seq bigint generated always as identity,
  recorded_at timestamptz not null default clock_timestamp()
);

create index report_events_by_order on report_events (order_id, occurred_at, seq);
-- Refunds per day for the daily sales report.
create index report_events_by_type on report_events (event_type, occurred_at);

-- The orders read model: one row per order, the status moving forward only (ADR-0026).
-- Fields stay null until the event that carries them arrives: topics are not ordered with
-- respect to each other, so an InvoiceCreated may be projected before its OrderPlaced.
create table report_orders (
  order_id text primary key,
  status text not null check (
    status in ('PENDING', 'BACKORDERED', 'INVENTORY_RESERVED', 'INVOICED', 'PAID',
               'AWAITING_APPROVAL', 'CONFIRMED', 'CANCELLED')
  ),
  customer_id text,
  currency text,
  total_cents bigint check (total_cents >= 0),
  invoice_id text,
  approval_id text,
  cancellation_reason text check (
    cancellation_reason in ('PAYMENT_FAILED', 'APPROVAL_REJECTED', 'CUSTOMER_CANCELLED')
  ),
  placed_at timestamptz,
  first_event_at timestamptz not null,
  -- When the order was placed; until OrderPlaced is seen, its earliest known event.
  created_at timestamptz generated always as (coalesce(placed_at, first_event_at)) stored,
  updated_at timestamptz not null,
  confirmed_at timestamptz,
  cancelled_at timestamptz
);

create index report_orders_by_created on report_orders (created_at desc, order_id);
create index report_orders_by_customer on report_orders (customer_id, created_at desc);
create index report_orders_by_status on report_orders (status, created_at desc);
-- Confirmed orders per day for the daily sales report.
create index report_orders_by_confirmed on report_orders (confirmed_at) where confirmed_at is not null;
