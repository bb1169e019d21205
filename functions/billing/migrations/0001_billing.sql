-- Billing's side of the order saga (ADR-0026, "Billing"). Amounts are integer cents.

-- The join of two topics: OrderPlaced brings amount, currency and card token, InventoryReserved
-- says "invoice now". Whichever arrives second finds the other here and creates the invoice.
create table billing_orders (
  order_id text primary key,
  amount_cents bigint check (amount_cents >= 0),
  currency text check (currency ~ '^[A-Z]{3}$'),
  card_token text,
  reserved boolean not null default false,
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default clock_timestamp(),
  constraint billing_orders_placed_together check (
    (amount_cents is null) = (currency is null) and (amount_cents is null) = (card_token is null)
  )
);

create table invoices (
  invoice_id uuid primary key,
  order_id text not null unique references billing_orders (order_id),
  status text not null check (status in ('OPEN', 'PAID', 'VOIDED', 'REFUNDED')),
  amount_cents bigint not null check (amount_cents >= 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default clock_timestamp()
);

-- At most one payment per order and per invoice: an order is charged at most once (contract §4).
create table payments (
  payment_id text primary key,
  invoice_id uuid not null unique references invoices (invoice_id),
  order_id text not null unique,
  amount_cents bigint not null check (amount_cents >= 0),
  currency text not null,
  callback_id text not null,
  created_at timestamptz not null default clock_timestamp()
);

-- At most one refund per order: an order is refunded at most once (contract §4).
create table refunds (
  refund_id uuid primary key,
  payment_id text not null unique references payments (payment_id),
  invoice_id uuid not null unique references invoices (invoice_id),
  order_id text not null unique,
  amount_cents bigint not null check (amount_cents >= 0),
  currency text not null,
  created_at timestamptz not null default clock_timestamp()
);

-- Double entry. One entry per kind and order, so no posting can ever be made twice.
create table ledger_entries (
  entry_id uuid primary key,
  order_id text not null,
  invoice_id uuid not null references invoices (invoice_id),
  kind text not null check (kind in ('INVOICE', 'PAYMENT', 'VOID', 'REFUND')),
  currency text not null,
  at timestamptz not null default clock_timestamp(),
  unique (order_id, kind)
);

create table ledger_lines (
  line_id bigint generated always as identity primary key,
  entry_id uuid not null references ledger_entries (entry_id),
  account text not null check (account in ('accounts_receivable', 'revenue', 'cash')),
  debit_cents bigint not null check (debit_cents >= 0),
  credit_cents bigint not null check (credit_cents >= 0),
  check (debit_cents = 0 or credit_cents = 0)
);

create index ledger_entries_order on ledger_entries (order_id, at, entry_id);
create index ledger_lines_entry on ledger_lines (entry_id);

-- Checked at commit, when every line of the entry is in: an entry with fewer than two lines or
-- whose debits differ from its credits never commits.
create function ledger_entry_balances() returns trigger language plpgsql as $$
declare
  checked uuid := new.entry_id;
  line_count int;
  imbalance bigint;
begin
  select count(*), coalesce(sum(debit_cents - credit_cents), 0)
    into line_count, imbalance
    from ledger_lines where entry_id = checked;
  if exists (select 1 from ledger_entries where entry_id = checked)
     and (line_count < 2 or imbalance <> 0) then
    raise exception 'ledger entry % does not balance (% lines, debits - credits = %)',
      checked, line_count, imbalance using errcode = '23514';
  end if;
  return null;
end;
$$;

create constraint trigger ledger_entries_balance
  after insert on ledger_entries deferrable initially deferred
  for each row execute function ledger_entry_balances();

create constraint trigger ledger_lines_balance
  after insert on ledger_lines deferrable initially deferred
  for each row execute function ledger_entry_balances();

-- The ledger is a journal: corrections are new reversing entries, never edits.
create function ledger_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'the ledger is append-only: post a reversing entry instead'
    using errcode = '23514';
end;
$$;

create trigger ledger_entries_append_only
  before update or delete on ledger_entries
  for each row execute function ledger_is_append_only();

create trigger ledger_lines_append_only
  before update or delete on ledger_lines
  for each row execute function ledger_is_append_only();

-- Provider callbacks applied, keyed by the provider's callback id: a replay finds its row.
create table payment_callbacks (
  callback_id text primary key,
  fingerprint text not null,
  invoice_id uuid not null,
  type text not null check (type in ('succeeded', 'failed')),
  outcome text not null,
  received_at timestamptz not null default clock_timestamp()
);

-- The simulated card provider's own book: one charge per invoice, whatever is redelivered. The
-- callback id is fixed with the charge so a re-sent callback dedupes at the webhook.
create table card_charges (
  charge_id uuid primary key,
  invoice_id uuid not null unique,
  order_id text not null,
  callback_id uuid not null unique,
  amount_cents bigint not null check (amount_cents >= 0),
  currency text not null,
  outcome text not null check (outcome in ('succeeded', 'failed')),
  decline_reason text,
  created_at timestamptz not null default clock_timestamp()
);
