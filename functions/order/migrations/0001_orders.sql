-- Orders and the saga state of ADR-0026 on the same row, so one `for update` serialises every
-- step of one order. Amounts are integer cents (bigint), never floats.
create table orders (
  id uuid primary key,
  customer_id text not null check (length(customer_id) between 1 and 128),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  -- [{sku, quantity, unitPrice}] as placed; never changed afterwards.
  lines jsonb not null
    check (jsonb_typeof(lines) = 'array' and jsonb_array_length(lines) between 1 and 100),
  total_cents bigint not null check (total_cents between 0 and 999999999999),
  status text not null default 'PENDING' check (status in (
    'PENDING', 'BACKORDERED', 'INVENTORY_RESERVED', 'INVOICED', 'PAID', 'AWAITING_APPROVAL',
    'CONFIRMED', 'CANCELLED')),
  -- Set when a cancellation starts; the status becomes CANCELLED only once compensation is done.
  cancellation_reason text
    check (cancellation_reason in ('PAYMENT_FAILED', 'APPROVAL_REJECTED', 'CUSTOMER_CANCELLED')),
  reserved_ever boolean not null default false,
  invoice_id text,
  paid boolean not null default false,
  approval_id text,
  inventory_released boolean not null default false,
  billing_compensation text not null default 'NONE'
    check (billing_compensation in ('NONE', 'REQUESTED', 'SETTLED')),
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default clock_timestamp(),
  constraint orders_cancelled_has_reason
    check (status <> 'CANCELLED' or cancellation_reason is not null),
  constraint orders_confirmed_not_cancelling
    check (status <> 'CONFIRMED' or cancellation_reason is null),
  constraint orders_compensation_only_when_cancelling
    check (cancellation_reason is not null
           or (not inventory_released and billing_compensation = 'NONE')),
  constraint orders_paid_has_invoice check (not paid or invoice_id is not null),
  constraint orders_cancelled_is_compensated
    check (status <> 'CANCELLED' or (inventory_released
           and (not reserved_ever or billing_compensation = 'SETTLED')))
);

-- GET /v1/orders: newest first, optionally by status and/or customer.
create index orders_newest on orders (created_at desc, id desc);
create index orders_by_status on orders (status, created_at desc, id desc);
create index orders_by_customer on orders (customer_id, created_at desc, id desc);
