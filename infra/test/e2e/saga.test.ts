import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  decide,
  getOrder,
  orderBody,
  placeOrder,
  receiveStock,
  setStock,
  settledTimeline,
  waitForOrder,
} from '../../local/demo/saga.ts';
import { connectServiceDatabases, waitUntilQuiet } from '../invariants/index.ts';
import { e2eHarness } from './harness.ts';

// Every saga path of contract §4, through the gateway with real tokens, each on its own items.
const { gateway, track, unique } = e2eHarness();

async function item(onHand: number): Promise<string> {
  const sku = unique('SKU-E2E');
  await setStock(gateway, sku, onHand, 'End-to-end item');
  return sku;
}

async function available(sku: string): Promise<number> {
  const response = await gateway.call('GET', `/v1/inventory/items/${sku}`, { user: 'viewer' });
  return (response.json as { available: number }).available;
}

async function invoiceOf(invoiceId: string | undefined) {
  const response = await gateway.call('GET', `/v1/invoices/${invoiceId}`, { user: 'finance' });
  expect(response.status).toBe(200);
  return response.json as { invoiceId: string; orderId: string; status: string; amount: string };
}

async function ledgerOf(orderId: string) {
  const response = await gateway.call('GET', `/v1/ledger?orderId=${orderId}`, { user: 'finance' });
  expect(response.status).toBe(200);
  return (response.json as { items: { account: string; debit: string; credit: string }[] }).items;
}

/** Debits minus credits per account, in cents. */
function balances(entries: { account: string; debit: string; credit: string }[]) {
  const sums: Record<string, number> = {};
  for (const entry of entries)
    sums[entry.account] =
      (sums[entry.account] ?? 0) +
      Math.round(Number(entry.debit) * 100) -
      Math.round(Number(entry.credit) * 100);
  return sums;
}

describe('the order saga through the gateway', () => {
  it('keeps no payment data at rest once the saga is done: no row of any database holds the card token', async () => {
    const sku = await item(2);
    const orderId = track(
      await placeOrder(
        gateway,
        orderBody(unique('cust'), [{ sku, quantity: 1, unitPrice: '5.00' }]),
      ),
    );
    expect((await waitForOrder(gateway, orderId, ['CONFIRMED', 'CANCELLED'])).status).toBe(
      'CONFIRMED',
    );
    const connection = connectServiceDatabases();
    const { databases } = connection;
    try {
      await waitUntilQuiet(databases, { orderIds: [orderId], timeoutMs: 60_000 });
      const holding: string[] = [];
      for (const [service, sql] of Object.entries(databases)) {
        const tables = await sql<{ name: string }[]>`
          select format('%I.%I', schemaname, tablename) as name from pg_tables
          where schemaname = 'public'`;
        for (const { name } of tables) {
          // Any row of this order whose text, any column, holds the token.
          const [found] = await sql<{ n: number }[]>`
            select count(*)::int as n from ${sql.unsafe(name)} t
            where t::text like ${`%${orderId}%`} and t::text like '%tok_visa%'`;
          if ((found?.n ?? 0) > 0) holding.push(`${service}.${name}`);
        }
      }
      expect(holding).toEqual([]);
    } finally {
      await connection.close();
    }
  });

  it('confirms an order below the threshold, its timeline listing the saga in order', async () => {
    const sku = await item(10);
    const correlationId = randomUUID();
    const customerId = unique('cust');
    const orderId = track(
      await placeOrder(gateway, orderBody(customerId, [{ sku, quantity: 3, unitPrice: '19.99' }]), {
        headers: { 'x-correlation-id': correlationId },
      }),
    );

    const order = await waitForOrder(gateway, orderId, ['CONFIRMED', 'CANCELLED']);

    expect(order).toMatchObject({ status: 'CONFIRMED', total: '59.97', currency: 'EUR' });
    expect(order.approvalId).toBeUndefined();
    expect(await invoiceOf(order.invoiceId)).toMatchObject({
      orderId,
      status: 'PAID',
      amount: '59.97',
    });
    expect(await available(sku)).toBe(7);
    expect(balances(await ledgerOf(orderId))).toEqual({
      accounts_receivable: 0,
      cash: 5997,
      revenue: -5997,
    });
    const events = await settledTimeline(gateway, orderId, 'OrderConfirmed');
    expect(events.map((event) => event.eventType)).toEqual([
      'OrderPlaced',
      'InventoryReserved',
      'InvoiceCreated',
      'PaymentSucceeded',
      'OrderConfirmed',
    ]);
    expect(events.map((event) => event.producer)).toEqual([
      'order',
      'inventory',
      'billing',
      'billing',
      'order',
    ]);
    expect(new Set(events.map((event) => event.correlationId))).toEqual(new Set([correlationId]));
    expect(events[1]?.causationId).toBe(events[0]?.eventId);
    const report = await gateway.call('GET', `/v1/reports/orders?customerId=${customerId}`, {
      user: 'viewer',
    });
    expect(report.json).toMatchObject({
      items: [{ orderId, status: 'CONFIRMED', customerId, total: '59.97', currency: 'EUR' }],
      total: 1,
    });
  });

  it('refuses the approval to the user who placed the order, Admin included; another approves', async () => {
    const sku = await item(2);
    const orderId = track(
      await placeOrder(
        gateway,
        orderBody(unique('cust'), [{ sku, quantity: 1, unitPrice: '12500.00' }]),
        { user: 'admin' },
      ),
    );
    const waiting = await waitForOrder(gateway, orderId, [
      'AWAITING_APPROVAL',
      'CONFIRMED',
      'CANCELLED',
    ]);
    expect(waiting.status).toBe('AWAITING_APPROVAL');

    const own = await gateway.call('POST', `/v1/approvals/${waiting.approvalId ?? ''}/approve`, {
      user: 'admin',
      key: true,
      body: {},
    });

    expect(own.status).toBe(403);
    expect(own.json).toMatchObject({ status: 403, code: 'ATLAS_SEPARATION_OF_DUTIES' });
    await decide(gateway, waiting.approvalId ?? '', 'approve', {});
    expect((await waitForOrder(gateway, orderId, ['CONFIRMED', 'CANCELLED'])).status).toBe(
      'CONFIRMED',
    );
  });

  it('waits for an approver above the threshold and confirms once approved', async () => {
    const sku = await item(2);
    const orderId = track(
      await placeOrder(
        gateway,
        orderBody(unique('cust'), [{ sku, quantity: 1, unitPrice: '12500.00' }]),
      ),
    );

    const waiting = await waitForOrder(gateway, orderId, [
      'AWAITING_APPROVAL',
      'CONFIRMED',
      'CANCELLED',
    ]);
    expect(waiting.status).toBe('AWAITING_APPROVAL');
    expect(waiting.approvalId).toEqual(expect.any(String));
    await decide(gateway, waiting.approvalId ?? '', 'approve', { comment: 'Known customer' });

    const order = await waitForOrder(gateway, orderId, ['CONFIRMED', 'CANCELLED']);
    expect(order.status).toBe('CONFIRMED');
    const events = await settledTimeline(gateway, orderId, 'OrderConfirmed');
    expect(events.map((event) => event.eventType)).toEqual([
      'OrderPlaced',
      'InventoryReserved',
      'InvoiceCreated',
      'PaymentSucceeded',
      'ApprovalRequested',
      'ApprovalGranted',
      'OrderConfirmed',
    ]);
  });

  it('cancels a declined order with PAYMENT_FAILED, voiding the invoice and releasing stock', async () => {
    const sku = await item(5);
    const orderId = track(
      await placeOrder(
        gateway,
        orderBody(unique('cust'), [{ sku, quantity: 2, unitPrice: '10.00' }], 'tok_chargeDeclined'),
      ),
    );

    const order = await waitForOrder(gateway, orderId, ['CONFIRMED', 'CANCELLED']);

    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_FAILED' });
    expect((await invoiceOf(order.invoiceId)).status).toBe('VOIDED');
    expect(await available(sku)).toBe(5);
    expect(balances(await ledgerOf(orderId))).toEqual({ accounts_receivable: 0, revenue: 0 });
    const types = (await settledTimeline(gateway, orderId, 'OrderCancelled')).map(
      (e) => e.eventType,
    );
    expect(types).toEqual(
      expect.arrayContaining(['PaymentFailed', 'InventoryReleased', 'InvoiceVoided']),
    );
    expect(types.at(-1)).toBe('OrderCancelled');
  });

  it('refunds a rejected order: invoice REFUNDED, ledger back to zero, stock released', async () => {
    const sku = await item(1);
    const orderId = track(
      await placeOrder(
        gateway,
        orderBody(unique('cust'), [{ sku, quantity: 1, unitPrice: '20000.00' }]),
      ),
    );
    const waiting = await waitForOrder(gateway, orderId, [
      'AWAITING_APPROVAL',
      'CONFIRMED',
      'CANCELLED',
    ]);
    expect(waiting.status).toBe('AWAITING_APPROVAL');

    await decide(gateway, waiting.approvalId ?? '', 'reject', { reason: 'Credit limit exceeded' });

    const order = await waitForOrder(gateway, orderId, ['CONFIRMED', 'CANCELLED']);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'APPROVAL_REJECTED' });
    expect((await invoiceOf(order.invoiceId)).status).toBe('REFUNDED');
    expect(await available(sku)).toBe(1);
    expect(balances(await ledgerOf(orderId))).toEqual({
      accounts_receivable: 0,
      cash: 0,
      revenue: 0,
    });
    const types = (await settledTimeline(gateway, orderId, 'OrderCancelled')).map(
      (e) => e.eventType,
    );
    expect(types).toEqual(
      expect.arrayContaining([
        'ApprovalRejected',
        'PaymentRefunded',
        'InvoiceVoided',
        'InventoryReleased',
      ]),
    );
    expect(types.at(-1)).toBe('OrderCancelled');
  });

  it('backorders what it cannot fill and fills receipts oldest first, skipping what still lacks', async () => {
    const sku = await item(0);
    const place = async (quantity: number) => {
      const orderId = track(
        await placeOrder(
          gateway,
          orderBody(unique('cust'), [{ sku, quantity, unitPrice: '5.00' }]),
        ),
      );
      // One at a time, so their backorders are in a known age order.
      await waitForOrder(gateway, orderId, ['BACKORDERED']);
      return orderId;
    };
    const oldest = await place(2);
    const middle = await place(2);
    const youngest = await place(1);

    await receiveStock(gateway, sku, 3);

    expect((await waitForOrder(gateway, oldest, ['CONFIRMED'])).status).toBe('CONFIRMED');
    expect((await waitForOrder(gateway, youngest, ['CONFIRMED'])).status).toBe('CONFIRMED');
    expect((await getOrder(gateway, middle)).status).toBe('BACKORDERED');

    await receiveStock(gateway, sku, 2);
    expect((await waitForOrder(gateway, middle, ['CONFIRMED'])).status).toBe('CONFIRMED');
    expect(await available(sku)).toBe(0);
    const types = (await settledTimeline(gateway, middle, 'OrderConfirmed')).map(
      (e) => e.eventType,
    );
    expect(types.slice(0, 3)).toEqual(['OrderPlaced', 'InventoryBackordered', 'InventoryReserved']);
  });
});
