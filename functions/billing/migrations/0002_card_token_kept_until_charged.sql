-- No payment data at rest beyond its use: the card token is needed for the one charge of the
-- order's invoice and nothing after it. It is erased when the charge is recorded (whatever its
-- outcome) or when the invoice is voided before any charge; rows written before this migration
-- are erased now where their use is over.
alter table billing_orders drop constraint billing_orders_placed_together;
alter table billing_orders add constraint billing_orders_placed_together
  check ((amount_cents is null) = (currency is null));

update billing_orders o set card_token = null
where card_token is not null
  and (exists (select 1 from card_charges c where c.order_id = o.order_id)
       or exists (select 1 from invoices i where i.order_id = o.order_id and i.status <> 'OPEN'));
