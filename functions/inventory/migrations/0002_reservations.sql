-- Every order inventory has heard of, by its first OrderPlaced or InventoryReleaseRequested. The
-- inbox dedupes one event; this row dedupes the order: a redelivered OrderPlaced with a new event
-- id, or one replayed after its release, finds the order seen and reserves nothing. It is also the
-- row that serialises the placement and the releases of one order.
create table inventory_orders (
  order_id text primary key,
  seen_at timestamptz not null default clock_timestamp(),
  release_requested_at timestamptz
);

-- Stock held for an order, one row per order and SKU (an order's lines of one SKU are summed).
-- `inventory_items.reserved` is the sum of the RESERVED rows of its SKU (contract §4); a row leaves
-- RESERVED once, which is what makes a release happen exactly once.
create table inventory_reservations (
  order_id text not null references inventory_orders (order_id),
  sku text not null references inventory_items (sku),
  quantity int not null check (quantity > 0),
  status text not null default 'RESERVED' check (status in ('RESERVED', 'RELEASED')),
  reserved_at timestamptz not null default clock_timestamp(),
  released_at timestamptz,
  primary key (order_id, sku),
  constraint inventory_reservations_released_once check ((status = 'RELEASED') = (released_at is not null))
);

create index inventory_reservations_live_by_sku on inventory_reservations (sku)
  where status = 'RESERVED';

-- An order that could not be reserved whole; it waits, oldest first, for stock of all its lines.
create table inventory_backorders (
  id bigint generated always as identity primary key,
  order_id text not null unique references inventory_orders (order_id),
  status text not null default 'OPEN' check (status in ('OPEN', 'FILLED', 'CANCELLED')),
  created_at timestamptz not null default clock_timestamp(),
  closed_at timestamptz,
  constraint inventory_backorders_closed_once check ((status = 'OPEN') = (closed_at is null))
);

create index inventory_backorders_open_oldest_first on inventory_backorders (created_at, id)
  where status = 'OPEN';

-- A backorder's lines, summed per SKU; the SKU may be unknown to inventory_items (available 0)
-- until someone sets its stock.
create table inventory_backorder_lines (
  backorder_id bigint not null references inventory_backorders (id),
  sku text not null,
  quantity int not null check (quantity > 0),
  primary key (backorder_id, sku)
);

create index inventory_backorder_lines_by_sku on inventory_backorder_lines (sku, backorder_id);
