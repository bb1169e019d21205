import { stage, type TransactionSql } from '@atlas/db';

// Billing's half-joined orders (`billing_orders`): OrderPlaced brings the amount and the card
// token, InventoryReserved the reservation; the invoice is made once both are in. The two
// recording writes are staged: the join's locked read right behind them is what waits, so a half
// costs one round trip, not two.

/** What OrderPlaced brings to the join; the amount in cents as a string (a bigint column). */
export interface PlacedOrder {
  readonly orderId: string;
  readonly amountCents: string;
  readonly currency: string;
  readonly cardToken: string;
}

/** A row of `billing_orders` as the join reads it; bigint columns arrive as strings. */
export interface JoinedOrderRow {
  readonly amount_cents: string | null;
  readonly currency: string | null;
  readonly reserved: boolean;
}

/**
 * Records the order's amount and card token. Only the first OrderPlaced of an order counts: the
 * invoice may already be made from it. Holds the order's row lock until the transaction ends.
 */
export async function recordOrderPlaced(tx: TransactionSql, order: PlacedOrder): Promise<void> {
  await stage(
    tx,
    tx`
    insert into billing_orders (order_id, amount_cents, currency, card_token)
    values (${order.orderId}, ${order.amountCents}, ${order.currency}, ${order.cardToken})
    on conflict (order_id) do update
    set amount_cents = excluded.amount_cents, currency = excluded.currency,
        card_token = excluded.card_token, updated_at = clock_timestamp()
    where billing_orders.amount_cents is null`,
  );
}

/** Records the order's stock as reserved. Holds the order's row lock until the transaction ends. */
export async function recordInventoryReserved(tx: TransactionSql, orderId: string): Promise<void> {
  await stage(
    tx,
    tx`
    insert into billing_orders (order_id, reserved)
    values (${orderId}, true)
    on conflict (order_id) do update
    set reserved = true, updated_at = clock_timestamp()`,
  );
}

/** The order's half of the join, locked until the transaction ends; undefined when none is in. */
export async function lockJoinedOrder(
  tx: TransactionSql,
  orderId: string,
): Promise<JoinedOrderRow | undefined> {
  const [order] = await tx<JoinedOrderRow[]>`
    select amount_cents, currency, reserved from billing_orders
    where order_id = ${orderId} for update`;
  return order;
}
