-- Stock per SKU. `reserved` is what live reservations hold (the saga adds those later);
-- `on_hand - reserved` is what can still be promised, and may never go negative (contract §4).
create table inventory_items (
  sku text primary key,
  name text not null default '',
  on_hand int not null check (on_hand >= 0),
  reserved int not null default 0 check (reserved >= 0),
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default clock_timestamp(),
  constraint inventory_items_available_not_negative check (on_hand - reserved >= 0)
);
