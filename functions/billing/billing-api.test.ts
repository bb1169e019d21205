import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type ServiceTestApi } from '@atlas/http/testing';
import { getInvoiceRoutes } from './get-invoice/routes.ts';
import { invoicingConsumer } from './invoicing/invoicing.ts';
import { listLedgerRoutes } from './list-ledger/routes.ts';
import { handleEvent, invoiceOf, orderEvents } from './testing/billing-saga.ts';

// The two read functions' routes, built as their main.ts builds them, served in-process against a
// fresh database, real Redis and real Keycloak tokens.
let api: ServiceTestApi;

const get = (path: string, user?: string) => api.call('GET', path, user ? { user } : {});

async function invoicedOrder(total: string) {
  const order = orderEvents({ total });
  await handleEvent(api.sql, invoicingConsumer(), order.placed);
  await handleEvent(api.sql, invoicingConsumer(), order.reserved);
  const invoice = await invoiceOf(api.sql, order.orderId);
  return { ...order, invoiceId: invoice?.invoiceId ?? '' };
}

interface LedgerPage {
  items: {
    entryId: string;
    orderId: string;
    account: string;
    debit: string;
    credit: string;
    at: string;
  }[];
  page: number;
  pageSize: number;
  total: number;
}

describe('the billing read API', () => {
  beforeAll(async () => {
    api = await startTestApi({
      name: 'billing-api-test',
      service: 'billing',
      routes: (dependencies, sql) => [
        ...getInvoiceRoutes(dependencies, sql),
        ...listLedgerRoutes(dependencies, sql),
      ],
      users: ['admin', 'finance', 'ops', 'viewer'],
    });
  });

  afterAll(() => api.close());

  describe('GET /v1/invoices/:invoiceId', () => {
    it.each(['finance', 'ops', 'admin'])('answers the invoice to %s', async (user) => {
      const order = await invoicedOrder('1234.56');

      const response = await get(`/v1/invoices/${order.invoiceId}`, user);

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        invoiceId: order.invoiceId,
        orderId: order.orderId,
        status: 'OPEN',
        amount: '1234.56',
        currency: 'EUR',
      });
    });

    it('answers 403 to a viewer and 401 without a token', async () => {
      const order = await invoicedOrder('1.00');
      const forbidden = await get(`/v1/invoices/${order.invoiceId}`, 'viewer');
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers.get('content-type')).toContain('application/problem+json');
      expect((await get(`/v1/invoices/${order.invoiceId}`)).status).toBe(401);
    });

    it.each([
      ['an unknown invoice', randomUUID()],
      ['an id that cannot be an invoice id', 'inv-42'],
    ])('answers 404 for %s', async (_case, invoiceId) => {
      const response = await get(`/v1/invoices/${invoiceId}`, 'finance');
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    });
  });

  describe('GET /v1/ledger', () => {
    it("lists an order's journal lines oldest first, each entry balanced", async () => {
      const order = await invoicedOrder('43.99');
      await handleEvent(api.sql, invoicingConsumer(), order.voidRequested(order.invoiceId));

      const response = await get(`/v1/ledger?orderId=${order.orderId}`, 'finance');

      expect(response.status).toBe(200);
      const page = (await response.json()) as LedgerPage;
      expect(page).toMatchObject({ page: 1, pageSize: 20, total: 4 });
      expect(page.items.map(({ account, debit, credit }) => [account, debit, credit])).toEqual([
        ['accounts_receivable', '43.99', '0.00'],
        ['revenue', '0.00', '43.99'],
        ['revenue', '43.99', '0.00'],
        ['accounts_receivable', '0.00', '43.99'],
      ]);
      const [invoiceEntry, voidEntry] = [page.items[0]?.entryId, page.items[2]?.entryId];
      expect(page.items.map((item) => item.entryId)).toEqual([
        invoiceEntry,
        invoiceEntry,
        voidEntry,
        voidEntry,
      ]);
      expect(invoiceEntry).not.toBe(voidEntry);
      expect(page.items.every((item) => item.orderId === order.orderId)).toBe(true);
      expect(Date.parse(page.items[0]?.at ?? '')).toBeLessThanOrEqual(
        Date.parse(page.items[2]?.at ?? ''),
      );
    });

    it('pages with page and pageSize and counts the total', async () => {
      const order = await invoicedOrder('5.00');
      await handleEvent(api.sql, invoicingConsumer(), order.voidRequested(order.invoiceId));

      const second = (await (
        await get(`/v1/ledger?orderId=${order.orderId}&page=2&pageSize=3`, 'ops')
      ).json()) as LedgerPage;
      const all = (await (await get('/v1/ledger?pageSize=100', 'admin')).json()) as LedgerPage;

      expect(second).toMatchObject({ page: 2, pageSize: 3, total: 4 });
      expect(second.items).toHaveLength(1);
      expect(second.items[0]).toMatchObject({ account: 'accounts_receivable', credit: '5.00' });
      expect(all.total).toBeGreaterThanOrEqual(4);
      expect(new Set(all.items.map((item) => item.orderId)).size).toBeGreaterThan(1);
    });

    it('answers an empty page for an order without entries', async () => {
      const response = await get(`/v1/ledger?orderId=${randomUUID()}`, 'finance');
      expect(await response.json()).toEqual({ items: [], page: 1, pageSize: 20, total: 0 });
    });

    it('answers 403 to a viewer and 401 without a token', async () => {
      expect((await get('/v1/ledger', 'viewer')).status).toBe(403);
      expect((await get('/v1/ledger')).status).toBe(401);
    });

    it.each([
      ['a pageSize over 100', 'pageSize=101', 'query.pageSize'],
      ['a page of 0', 'page=0', 'query.page'],
      ['a pageSize that is not a number', 'pageSize=many', 'query.pageSize'],
      ['an unknown parameter', 'customerId=c1', 'query'],
    ])('answers 400 to %s', async (_case, query, path) => {
      const response = await get(`/v1/ledger?${query}`, 'finance');
      expect(response.status).toBe(400);
      const problem = (await response.json()) as { errors: { path: string }[] };
      expect(problem.errors[0]?.path).toBe(path);
    });
  });
});
