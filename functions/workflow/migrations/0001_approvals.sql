-- One approval per order (contract §4): requested when a paid order's amount reaches the
-- threshold, decided once by an approver, or closed by the system when the order is cancelled.
create table approvals (
  approval_id text primary key,
  order_id text not null unique,
  status text not null check (status in ('PENDING', 'GRANTED', 'REJECTED')),
  amount_cents bigint not null check (amount_cents >= 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  requested_at timestamptz not null default clock_timestamp(),
  decided_at timestamptz,
  decided_by_subject text,
  decided_by_username text,
  comment text,
  reason text,
  -- A decision is whole or absent: no GRANTED without who and when, no PENDING with a decider.
  constraint approvals_decided_together check (
    (status = 'PENDING') = (decided_at is null)
    and (decided_at is null) = (decided_by_subject is null)
    and (decided_at is null) = (decided_by_username is null)
  ),
  constraint approvals_rejected_with_reason check (status <> 'REJECTED' or reason is not null)
);

-- The approvers' queue: oldest first, by status or not.
create index approvals_by_status on approvals (status, requested_at, approval_id);
create index approvals_by_request on approvals (requested_at, approval_id);

-- Orders whose OrderCancelled was seen. The billing and order topics are not ordered with respect
-- to each other, so a PaymentSucceeded may arrive after the cancellation; it must request nothing.
create table cancelled_orders (
  order_id text primary key,
  reason text not null,
  cancelled_at timestamptz not null default clock_timestamp()
);
