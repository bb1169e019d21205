import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PaymentCallback } from '@atlas/billing-domain';
import { transaction, migrationSetsOf } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { ConflictError, NotFoundError } from '@atlas/errors';
import { createEvent } from '@atlas/events';
import { appendEvent } from '@atlas/messaging';
import { invoicingConsumer } from './invoicing/invoicing.ts';
import { applyCallback, type CallbackResult } from './payment-webhook/apply-callback.ts';
import {
  accountBalances,
  handleEvent,
  invoiceOf,
  orderEvents,
  stagedEvents,
} from './testing/billing-saga.ts';

// The billing side of the saga on real transactions: the invoicing consumer's handler and the
// webhook's callback logic against a fresh billing database.
const invoicing = invoicingConsumer();
let database: TestDatabase;

type Order = ReturnType<typeof orderEvents>;

async function invoicedOrder(
  options: { total?: string } = {},
): Promise<Order & { invoiceId: string }> {
  const order = orderEvents(options);
  await handleEvent(database.sql, invoicing, order.placed);
  await handleEvent(database.sql, invoicing, order.reserved);
  const invoice = await invoiceOf(database.sql, order.orderId);
  if (!invoice) throw new Error('the order was not invoiced');
  return { ...order, invoiceId: invoice.invoiceId };
}

function callbackFor(
  order: Order & { invoiceId: string },
  type: 'succeeded' | 'failed',
  chargeId = randomUUID(),
): PaymentCallback {
  const common = {
    callbackId: randomUUID(),
    chargeId,
    invoiceId: order.invoiceId,
    orderId: order.orderId,
    amount: order.placed.payload.total,
    currency: 'EUR',
  };
  return type === 'succeeded' ? { ...common, type } : { ...common, type, reason: 'card_declined' };
}

async function deliverCallback(callback: PaymentCallback): Promise<CallbackResult> {
  return transaction(database.sql, (tx) =>
    applyCallback(tx, callback, async (eventType, payload) => {
      await appendEvent(
        tx,
        createEvent(eventType, payload, {
          producer: 'billing',
          correlationId: randomUUID(),
          causationId: callback.callbackId,
        }),
      );
    }),
  );
}

async function typesOf(orderId: string): Promise<string[]> {
  return (await stagedEvents(database.sql, orderId)).map((event) => event.eventType);
}

async function entryKindsOf(orderId: string): Promise<string[]> {
  const rows = await database.sql<{ kind: string }[]>`
    select kind from ledger_entries where order_id = ${orderId} order by at, entry_id`;
  return rows.map((row) => row.kind);
}

const SETTLED = { accounts_receivable: 0, revenue: 0, cash: 0 };

describe('billing on the order saga', () => {
  beforeAll(async () => {
    database = await createTestDatabase(migrationSetsOf('billing'));
  });

  afterAll(async () => {
    await database.drop();
  });

  describe('joining OrderPlaced and InventoryReserved', () => {
    it.each([
      ['OrderPlaced first', (order: Order) => [order.placed, order.reserved] as const],
      ['InventoryReserved first', (order: Order) => [order.reserved, order.placed] as const],
    ])('creates one OPEN invoice with its entry and InvoiceCreated, %s', async (_case, arrival) => {
      const order = orderEvents({ total: '43.99' });
      const [first, second] = arrival(order);

      await handleEvent(database.sql, invoicing, first);
      const afterFirst = await invoiceOf(database.sql, order.orderId);
      await handleEvent(database.sql, invoicing, second);

      expect(afterFirst).toBeUndefined();
      const invoice = await invoiceOf(database.sql, order.orderId);
      expect(invoice?.status).toBe('OPEN');
      const events = await stagedEvents(database.sql, order.orderId);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        eventType: 'InvoiceCreated',
        producer: 'billing',
        correlationId: order.correlationId,
        causationId: second.eventId,
        payload: {
          invoiceId: invoice?.invoiceId,
          orderId: order.orderId,
          amount: '43.99',
          currency: 'EUR',
        },
      });
      expect(await entryKindsOf(order.orderId)).toEqual(['INVOICE']);
      expect(await accountBalances(database.sql, order.orderId)).toEqual({
        accounts_receivable: 4399,
        revenue: -4399,
      });
    });

    it('creates exactly one invoice when both halves arrive at the same time', async () => {
      const order = orderEvents();
      await Promise.all([
        handleEvent(database.sql, invoicing, order.placed),
        handleEvent(database.sql, invoicing, order.reserved),
      ]);
      expect(await typesOf(order.orderId)).toEqual(['InvoiceCreated']);
      expect(await entryKindsOf(order.orderId)).toEqual(['INVOICE']);
    });

    it('does not invoice twice when a half arrives again under a new event id', async () => {
      const order = await invoicedOrder();
      await handleEvent(database.sql, invoicing, { ...order.reserved, eventId: randomUUID() });
      await handleEvent(database.sql, invoicing, { ...order.placed, eventId: randomUUID() });
      expect(await typesOf(order.orderId)).toEqual(['InvoiceCreated']);
    });

    it('dead-letters an OrderPlaced whose total is not an amount', async () => {
      const order = orderEvents();
      const broken = { ...order.placed, payload: { ...order.placed.payload, total: '-1.00' } };
      await expect(handleEvent(database.sql, invoicing, broken)).rejects.toMatchObject({
        code: 'ATLAS_MALFORMED_EVENT',
      });
    });
  });

  describe('a payment callback', () => {
    it('makes an OPEN invoice PAID with its payment, entry and PaymentSucceeded', async () => {
      const order = await invoicedOrder();
      const callback = callbackFor(order, 'succeeded');

      const result = await deliverCallback(callback);

      expect(result).toEqual({
        callbackId: callback.callbackId,
        invoiceId: order.invoiceId,
        effect: 'PAY',
        replayed: false,
      });
      expect((await invoiceOf(database.sql, order.orderId))?.status).toBe('PAID');
      const events = await stagedEvents(database.sql, order.orderId);
      expect(events.map((event) => event.eventType)).toEqual([
        'InvoiceCreated',
        'PaymentSucceeded',
      ]);
      expect(events[1]?.payload).toEqual({
        orderId: order.orderId,
        invoiceId: order.invoiceId,
        paymentId: callback.chargeId,
        amount: '43.99',
        currency: 'EUR',
      });
      expect(await entryKindsOf(order.orderId)).toEqual(['INVOICE', 'PAYMENT']);
      expect(await accountBalances(database.sql, order.orderId)).toEqual({
        accounts_receivable: 0,
        revenue: -4399,
        cash: 4399,
      });
    });

    it('is applied once: a replay answers the first effect and changes nothing', async () => {
      const order = await invoicedOrder();
      const callback = callbackFor(order, 'succeeded');
      await deliverCallback(callback);

      const replay = await deliverCallback(callback);

      expect(replay).toMatchObject({ effect: 'PAY', replayed: true });
      expect(await typesOf(order.orderId)).toEqual(['InvoiceCreated', 'PaymentSucceeded']);
      expect(await entryKindsOf(order.orderId)).toEqual(['INVOICE', 'PAYMENT']);
    });

    it('refuses a known callback id that comes back with other fields', async () => {
      const order = await invoicedOrder();
      const callback = callbackFor(order, 'succeeded');
      await deliverCallback(callback);
      await expect(deliverCallback({ ...callback, chargeId: randomUUID() })).rejects.toMatchObject({
        code: 'ATLAS_IDEMPOTENCY_KEY_REUSED',
      });
    });

    it('ignores the same charge reported under a second callback id', async () => {
      const order = await invoicedOrder();
      const callback = callbackFor(order, 'succeeded');
      await deliverCallback(callback);
      const again = await deliverCallback({ ...callback, callbackId: randomUUID() });
      expect(again).toMatchObject({ effect: 'IGNORE', replayed: false });
      expect(await typesOf(order.orderId)).toEqual(['InvoiceCreated', 'PaymentSucceeded']);
    });

    it('refuses a second, different successful charge of a paid invoice', async () => {
      const order = await invoicedOrder();
      await deliverCallback(callbackFor(order, 'succeeded'));
      await expect(deliverCallback(callbackFor(order, 'succeeded'))).rejects.toBeInstanceOf(
        ConflictError,
      );
    });

    it('reports a decline as PaymentFailed and leaves the invoice OPEN without a posting', async () => {
      const order = await invoicedOrder();

      const result = await deliverCallback(callbackFor(order, 'failed'));

      expect(result.effect).toBe('DECLINE');
      expect((await invoiceOf(database.sql, order.orderId))?.status).toBe('OPEN');
      const events = await stagedEvents(database.sql, order.orderId);
      expect(events.map((event) => event.eventType)).toEqual(['InvoiceCreated', 'PaymentFailed']);
      expect(events[1]?.payload).toEqual({
        orderId: order.orderId,
        invoiceId: order.invoiceId,
        reason: 'card_declined',
      });
      expect(await entryKindsOf(order.orderId)).toEqual(['INVOICE']);
    });

    it.each([
      ['another order', { orderId: randomUUID() }],
      ['another amount', { amount: '1.00' }],
      ['another currency', { currency: 'USD' }],
    ])('refuses a callback naming %s than its invoice', async (_case, change) => {
      const order = await invoicedOrder();
      await expect(
        deliverCallback({ ...callbackFor(order, 'succeeded'), ...change }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await typesOf(order.orderId)).toEqual(['InvoiceCreated']);
    });

    it('refuses a callback for an unknown invoice', async () => {
      const order = await invoicedOrder();
      await expect(
        deliverCallback({ ...callbackFor(order, 'succeeded'), invoiceId: randomUUID() }),
      ).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('compensation', () => {
    it('voids an OPEN invoice with a reversing entry and InvoiceVoided(VOIDED)', async () => {
      const order = await invoicedOrder();

      await handleEvent(database.sql, invoicing, order.voidRequested(order.invoiceId));

      expect((await invoiceOf(database.sql, order.orderId))?.status).toBe('VOIDED');
      const events = await stagedEvents(database.sql, order.orderId);
      expect(events.at(-1)).toMatchObject({
        eventType: 'InvoiceVoided',
        payload: { orderId: order.orderId, invoiceId: order.invoiceId, status: 'VOIDED' },
      });
      expect(await entryKindsOf(order.orderId)).toEqual(['INVOICE', 'VOID']);
      expect(await accountBalances(database.sql, order.orderId)).toEqual({
        accounts_receivable: 0,
        revenue: 0,
      });
    });

    it('refunds a PAID invoice: PaymentRefunded, InvoiceVoided(REFUNDED), both reversals', async () => {
      const order = await invoicedOrder();
      await deliverCallback(callbackFor(order, 'succeeded'));

      await handleEvent(database.sql, invoicing, order.refundRequested(order.invoiceId));

      expect((await invoiceOf(database.sql, order.orderId))?.status).toBe('REFUNDED');
      const events = await stagedEvents(database.sql, order.orderId);
      expect(events.map((event) => event.eventType)).toEqual([
        'InvoiceCreated',
        'PaymentSucceeded',
        'PaymentRefunded',
        'InvoiceVoided',
      ]);
      expect(events[2]?.payload).toMatchObject({ amount: '43.99', currency: 'EUR' });
      expect(events[3]?.payload).toMatchObject({ status: 'REFUNDED' });
      expect(await entryKindsOf(order.orderId)).toEqual(['INVOICE', 'PAYMENT', 'REFUND', 'VOID']);
      expect(await accountBalances(database.sql, order.orderId)).toEqual(SETTLED);
    });

    it('refunds a PAID invoice asked to be voided, and voids an OPEN one asked to be refunded', async () => {
      const paid = await invoicedOrder();
      await deliverCallback(callbackFor(paid, 'succeeded'));
      const open = await invoicedOrder();

      await handleEvent(database.sql, invoicing, paid.voidRequested(paid.invoiceId));
      await handleEvent(database.sql, invoicing, open.refundRequested(open.invoiceId));

      expect((await invoiceOf(database.sql, paid.orderId))?.status).toBe('REFUNDED');
      expect((await invoiceOf(database.sql, open.orderId))?.status).toBe('VOIDED');
      expect(await typesOf(open.orderId)).toEqual(['InvoiceCreated', 'InvoiceVoided']);
    });

    it('never touches a settled invoice twice', async () => {
      const order = await invoicedOrder();
      await deliverCallback(callbackFor(order, 'succeeded'));
      await handleEvent(database.sql, invoicing, order.refundRequested(order.invoiceId));
      const before = await typesOf(order.orderId);

      await handleEvent(database.sql, invoicing, order.voidRequested(order.invoiceId));
      await handleEvent(database.sql, invoicing, order.refundRequested(order.invoiceId));

      expect(await typesOf(order.orderId)).toEqual(before);
      const [refunds] = await database.sql<{ n: number }[]>`
        select count(*)::int as n from refunds where order_id = ${order.orderId}`;
      expect(refunds?.n).toBe(1);
    });

    it('records and refunds at once a success that arrives after the invoice was voided', async () => {
      const order = await invoicedOrder();
      await handleEvent(database.sql, invoicing, order.voidRequested(order.invoiceId));

      const result = await deliverCallback(callbackFor(order, 'succeeded'));

      expect(result.effect).toBe('PAY_AND_REFUND');
      expect((await invoiceOf(database.sql, order.orderId))?.status).toBe('REFUNDED');
      expect(await typesOf(order.orderId)).toEqual([
        'InvoiceCreated',
        'InvoiceVoided',
        'PaymentSucceeded',
        'PaymentRefunded',
      ]);
      expect(await entryKindsOf(order.orderId)).toEqual(['INVOICE', 'VOID', 'PAYMENT', 'REFUND']);
      expect(await accountBalances(database.sql, order.orderId)).toEqual(SETTLED);
    });

    it('ignores a decline that arrives after the invoice was voided', async () => {
      const order = await invoicedOrder();
      await handleEvent(database.sql, invoicing, order.voidRequested(order.invoiceId));
      const result = await deliverCallback(callbackFor(order, 'failed'));
      expect(result.effect).toBe('IGNORE');
      expect(await typesOf(order.orderId)).toEqual(['InvoiceCreated', 'InvoiceVoided']);
    });

    it.each([
      ['an unknown invoice', () => randomUUID()],
      ['an id that is not an invoice id', () => 'inv-1'],
    ])('dead-letters a request for %s', async (_case, invoiceId) => {
      const order = await invoicedOrder();
      await expect(
        handleEvent(database.sql, invoicing, order.voidRequested(invoiceId())),
      ).rejects.toBeInstanceOf(NotFoundError);
    });

    it("dead-letters a request naming another order's invoice", async () => {
      const order = await invoicedOrder();
      const other = await invoicedOrder();
      await expect(
        handleEvent(database.sql, invoicing, order.voidRequested(other.invoiceId)),
      ).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('the ledger', () => {
    it('refuses to commit an entry whose debits and credits differ, or that has one line', async () => {
      const order = await invoicedOrder();
      const post = (lines: readonly [string, number, number][]) =>
        transaction(database.sql, async (tx) => {
          const entryId = randomUUID();
          await tx`
            insert into ledger_entries (entry_id, order_id, invoice_id, kind, currency)
            values (${entryId}, ${order.orderId}, ${order.invoiceId}, 'PAYMENT', 'EUR')`;
          for (const [account, debit, credit] of lines) {
            await tx`
              insert into ledger_lines (entry_id, account, debit_cents, credit_cents)
              values (${entryId}, ${account}, ${debit}, ${credit})`;
          }
        });

      await expect(
        post([
          ['cash', 100, 0],
          ['accounts_receivable', 0, 99],
        ]),
      ).rejects.toThrow(/does not balance/);
      await expect(post([['cash', 0, 0]])).rejects.toThrow(/does not balance/);
      expect(await entryKindsOf(order.orderId)).toEqual(['INVOICE']);
    });

    it('is append-only', async () => {
      const order = await invoicedOrder();
      await expect(
        database.sql`update ledger_lines set debit_cents = 1
                     where entry_id in (select entry_id from ledger_entries where order_id = ${order.orderId})`,
      ).rejects.toThrow(/append-only/);
      await expect(
        database.sql`delete from ledger_entries where order_id = ${order.orderId}`,
      ).rejects.toThrow(/append-only/);
    });

    // Runs last: every flow above has posted by now.
    it('sums to zero over all accounts, and every entry balances', async () => {
      const [totals] = await database.sql<{ debits: string; credits: string; lines: number }[]>`
        select sum(debit_cents)::text as debits, sum(credit_cents)::text as credits,
               count(*)::int as lines
        from ledger_lines`;
      expect(totals?.lines).toBeGreaterThan(40);
      expect(totals?.debits).toBe(totals?.credits);
      const balances = await accountBalances(database.sql);
      expect(Object.values(balances).reduce((sum, balance) => sum + balance, 0)).toBe(0);

      const unbalanced = await database.sql`
        select entry_id from ledger_lines group by entry_id
        having sum(debit_cents) <> sum(credit_cents) or count(*) < 2`;
      expect(unbalanced).toHaveLength(0);

      // Every invoice that was voided or refunded left no trace on any account.
      const settled = await database.sql<{ order_id: string }[]>`
        select order_id from invoices where status in ('VOIDED', 'REFUNDED')`;
      expect(settled.length).toBeGreaterThan(5);
      for (const { order_id } of settled) {
        const perAccount = await accountBalances(database.sql, order_id);
        expect(Object.values(perAccount).every((balance) => balance === 0)).toBe(true);
      }
    });
  });
});
