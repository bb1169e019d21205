import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AtlasEvent } from '@atlas/events';
import { loadStackConfig } from '@atlas/config';
import { DependencyUnavailableError } from '@atlas/errors';
import { outboxAuditSink, sqlCommandOutcomes } from '@atlas/http';
import {
  createIdempotencyStore,
  createRedisClient,
  type IdempotencyStore,
} from '@atlas/idempotency';
import { removeKeys } from '@atlas/idempotency/testing';
import { startTestApi, type ServiceTestApi } from '@atlas/http/testing';
import { cancelOrderRoutes } from './cancel-order/routes.ts';
import { getOrderRoutes } from './get-order/routes.ts';
import { listOrdersRoutes } from './list-orders/routes.ts';
import { placeOrderRoutes } from './place-order/routes.ts';

// The four order HTTP functions' routes, built as their main.ts builds them, served in-process
// against a fresh database, real Redis and real Keycloak tokens.
let api: ServiceTestApi;

interface Problem {
  status: number;
  errors?: { path: string; message: string }[];
}

const anOrder = (overrides: Record<string, unknown> = {}) => ({
  customerId: 'cust-api',
  currency: 'EUR',
  lines: [
    { sku: 'SKU-TEAPOT', quantity: 2, unitPrice: '19.99' },
    { sku: 'SKU-MUG', quantity: 3, unitPrice: '4.50' },
  ],
  paymentMethod: { type: 'card', token: 'tok_visa' },
  ...overrides,
});

const place = (body: unknown, key = randomUUID(), user = 'ops', correlationId?: string) =>
  api.call('POST', '/v1/orders', { user, body, key, ...(correlationId ? { correlationId } : {}) });

async function placed(body: unknown = anOrder()): Promise<string> {
  const response = await place(body);
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}

const cancel = (orderId: string, options: { body?: unknown; key?: string } = {}) =>
  api.call('POST', `/v1/orders/${orderId}/cancel`, {
    user: 'ops',
    key: options.key ?? randomUUID(),
    ...(options.body === undefined ? {} : { body: options.body }),
  });

/** The saga events staged for an order (its audit records aside: see auditOf). */
const outboxOf = (orderId: string) =>
  api.sql<{ event_type: string; event: AtlasEvent }[]>`
    select event_type, event from atlas_outbox
    where aggregate_id = ${orderId} and event_type <> 'AuditRecorded' order by id`;

/** Each outbox row of an order with the transaction that wrote it. */
const writersOf = (orderId: string) =>
  api.sql<{ event_type: string; xid: string }[]>`
    select event_type, xmin::text as xid from atlas_outbox where aggregate_id = ${orderId} order by id`;

describe('the order API', () => {
  beforeAll(async () => {
    api = await startTestApi({
      name: 'order-api-test',
      service: 'order',
      routes: (dependencies, sql) => [
        ...placeOrderRoutes(dependencies, sql),
        ...listOrdersRoutes(dependencies, sql),
        ...getOrderRoutes(dependencies, sql),
        ...cancelOrderRoutes(dependencies, sql),
      ],
      users: ['ops', 'admin', 'viewer', 'finance'],
      audit: (sql) => outboxAuditSink(sql, 'order'),
    });
  });

  afterAll(() => api.close());

  describe('when the process dies between the commit and Redis', () => {
    it('replays the first answer to a retry after the in-flight expiry, and places the order once', async () => {
      // Prepare: a store whose claims expire after 1 s and are never completed, as if the process
      // died right after the order committed.
      const redis = await createRedisClient(loadStackConfig().redis.url);
      const keyPrefix = `atlas:test:${randomUUID()}`;
      const real = createIdempotencyStore({ redis, keyPrefix, inFlightTtlSeconds: 1 });
      const dying: IdempotencyStore = {
        begin: async (request) => {
          const claim = await real.begin(request);
          return claim.kind === 'new' ? { ...claim, complete: async () => true } : claim;
        },
      };
      const served = await api.serveAlso(
        'order-api-crash',
        placeOrderRoutes(
          { ...api.dependencies, idempotencyStore: dying, outcomes: sqlCommandOutcomes(api.sql) },
          api.sql,
        ),
      );
      const customerId = `crash-${randomUUID()}`;
      const body = anOrder({ customerId });
      const key = randomUUID();
      try {
        const first = await served.call('POST', '/v1/orders', { user: 'ops', key, body });
        const firstText = await first.text();
        await sleep(1_500);

        // Act: the client retries once Redis forgot the key.
        const retry = await served.call('POST', '/v1/orders', { user: 'ops', key, body });
        const other = await served.call('POST', '/v1/orders', {
          user: 'ops',
          key,
          body: anOrder({ customerId: `${customerId}-x` }),
        });

        // Assess: the first answer, byte for byte; one order; a different body is refused.
        expect(first.status).toBe(202);
        expect(retry.status).toBe(202);
        expect(retry.headers.get('idempotent-replayed')).toBe('true');
        expect(await retry.text()).toBe(firstText);
        const placed = await api.sql`select id from orders where customer_id = ${customerId}`;
        expect(placed).toHaveLength(1);
        expect(other.status).toBe(422);
      } finally {
        await served.close();
        await removeKeys(redis, keyPrefix);
        redis.disconnect();
      }
    });
  });

  describe('while Redis is unreachable', () => {
    it('still places orders, once per Idempotency-Key, with the database as the arbiter', async () => {
      // Prepare: an idempotency store that fails as the real one does when Redis is down.
      const unreachable: IdempotencyStore = {
        begin: () =>
          Promise.reject(new DependencyUnavailableError('Idempotency store unavailable')),
      };
      const served = await api.serveAlso(
        'order-api-no-redis',
        placeOrderRoutes(
          {
            ...api.dependencies,
            idempotencyStore: unreachable,
            outcomes: sqlCommandOutcomes(api.sql),
          },
          api.sql,
        ),
      );
      const customerId = `no-redis-${randomUUID()}`;
      const body = anOrder({ customerId });
      const key = randomUUID();
      try {
        // Act: two attempts at once, a retry after them, and the key reused for another body.
        const [first, second] = await Promise.all([
          served.call('POST', '/v1/orders', { user: 'ops', key, body }),
          served.call('POST', '/v1/orders', { user: 'ops', key, body }),
        ]);
        const retry = await served.call('POST', '/v1/orders', { user: 'ops', key, body });
        const other = await served.call('POST', '/v1/orders', {
          user: 'ops',
          key,
          body: anOrder({ customerId: `${customerId}-x` }),
        });

        // Assess: one order; the concurrent twin is told to retry (409) or replayed; the retry
        // replays the first answer; another body under the key is refused.
        const statuses = [first.status, second.status].sort();
        expect(statuses[0]).toBe(202);
        expect([202, 409]).toContain(statuses[1]);
        const placed = await api.sql`select id from orders where customer_id = ${customerId}`;
        expect(placed).toHaveLength(1);
        expect(retry.status).toBe(202);
        expect(retry.headers.get('idempotent-replayed')).toBe('true');
        expect(((await retry.json()) as { orderId: string }).orderId).toBe(placed[0]?.['id']);
        expect(other.status).toBe(422);
      } finally {
        await served.close();
      }
    });
  });

  describe('auditing', () => {
    it('stages the audit record of a placement in the transaction that stores the order', async () => {
      const response = await place(anOrder(), randomUUID(), 'ops', `audit-${randomUUID()}`);
      const { orderId } = (await response.json()) as { orderId: string };

      const writers = await writersOf(orderId);

      // One transaction wrote both: a crash can lose neither alone.
      expect(writers.map((row) => row.event_type)).toEqual(['OrderPlaced', 'AuditRecorded']);
      expect(new Set(writers.map((row) => row.xid)).size).toBe(1);
    });

    it('stages the audit record of a cancellation with its compensation request', async () => {
      const placed = await place(anOrder(), randomUUID(), 'ops', `audit-${randomUUID()}`);
      const { orderId } = (await placed.json()) as { orderId: string };

      expect((await cancel(orderId)).status).toBe(202);

      const cancelWriters = (await writersOf(orderId)).slice(2);
      expect(cancelWriters.map((row) => row.event_type)).toEqual([
        'InventoryReleaseRequested',
        'AuditRecorded',
      ]);
      expect(new Set(cancelWriters.map((row) => row.xid)).size).toBe(1);
    });

    it('records a refused command on its own, after the answer', async () => {
      const unknown = randomUUID();

      expect((await cancel(unknown)).status).toBe(404);

      expect((await writersOf(unknown)).map((row) => row.event_type)).toEqual(['AuditRecorded']);
    });
  });

  describe('placing an order', () => {
    it('answers 202 with the total and a Location, and stages OrderPlaced with the order', async () => {
      const correlationId = `place-${randomUUID()}`;

      const response = await place(anOrder(), randomUUID(), 'ops', correlationId);

      expect(response.status).toBe(202);
      const body = (await response.json()) as { orderId: string };
      expect(body).toEqual({
        orderId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'PENDING',
        total: '53.48',
        currency: 'EUR',
      });
      expect(response.headers.get('location')).toBe(`/v1/orders/${body.orderId}`);
      const outbox = await outboxOf(body.orderId);
      expect(outbox).toHaveLength(1);
      expect(outbox[0]?.event).toMatchObject({
        eventType: 'OrderPlaced',
        producer: 'order',
        correlationId,
        causationId: correlationId,
        aggregateType: 'Order',
        aggregateId: body.orderId,
        payload: {
          orderId: body.orderId,
          customerId: 'cust-api',
          currency: 'EUR',
          lines: anOrder().lines,
          total: '53.48',
          paymentMethod: { type: 'card', token: 'tok_visa' },
        },
      });
    });

    it('shows the placed order to every reader, without the keys it does not have yet', async () => {
      const orderId = await placed();
      for (const user of ['viewer', 'finance']) {
        const response = await api.call('GET', `/v1/orders/${orderId}`, { user });
        expect(response.status).toBe(200);
        const view = (await response.json()) as Record<string, unknown>;
        expect(view).toEqual({
          orderId,
          status: 'PENDING',
          customerId: 'cust-api',
          currency: 'EUR',
          lines: anOrder().lines,
          total: '53.48',
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        });
      }
    });

    it('answers 401 without a token and 403 to a viewer, and stores nothing', async () => {
      const before = await api.sql`select 1 from orders`;
      expect(
        (await api.call('POST', '/v1/orders', { body: anOrder(), key: randomUUID() })).status,
      ).toBe(401);
      expect((await place(anOrder(), randomUUID(), 'viewer')).status).toBe(403);
      expect((await place(anOrder(), randomUUID(), 'finance')).status).toBe(403);
      expect((await api.call('GET', '/v1/orders')).status).toBe(401);
      expect(await api.sql`select 1 from orders`).toHaveLength(before.length);
    });

    it.each([
      [
        'a zero quantity',
        { lines: [{ sku: 'A', quantity: 0, unitPrice: '1.00' }] },
        'body.lines.0.quantity',
      ],
      [
        'a float price',
        { lines: [{ sku: 'A', quantity: 1, unitPrice: 1.5 }] },
        'body.lines.0.unitPrice',
      ],
      [
        'a quantity over 1,000,000 (two such lines of one SKU would overflow every int downstream)',
        {
          lines: [
            { sku: 'A', quantity: 2_000_000_000, unitPrice: '0.01' },
            { sku: 'A', quantity: 2_000_000_000, unitPrice: '0.01' },
          ],
        },
        'body.lines.0.quantity',
      ],
      [
        '101 lines',
        {
          lines: Array.from({ length: 101 }, () => ({ sku: 'A', quantity: 1, unitPrice: '1.00' })),
        },
        'body.lines',
      ],
      ['no lines', { lines: [] }, 'body.lines'],
      ['an unknown field', { discount: '5.00' }, 'body'],
      [
        'a payment type other than card',
        { paymentMethod: { type: 'cash', token: 'x' } },
        'body.paymentMethod.type',
      ],
      ['a bad currency', { currency: 'euro' }, 'body.currency'],
    ])('answers 400 with errors[] to %s', async (_case, overrides, path) => {
      const response = await place(anOrder(overrides));
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await response.json()) as Problem;
      expect(problem.errors?.map((error) => error.path)).toContain(path);
    });

    it('answers 400 to an order without an Idempotency-Key', async () => {
      const response = await api.call('POST', '/v1/orders', { user: 'ops', body: anOrder() });
      expect(response.status).toBe(400);
    });

    it('replays a repeated order byte for byte and places it once', async () => {
      const key = randomUUID();
      const body = anOrder({ customerId: `cust-${randomUUID()}` });

      const first = await place(body, key);
      const second = await place(body, key);

      expect(second.status).toBe(202);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(await second.text()).toBe(await first.text());
      expect(
        await api.sql`select 1 from orders where customer_id = ${body.customerId}`,
      ).toHaveLength(1);
      expect((await place(anOrder({ customerId: 'someone-else' }), key)).status).toBe(422);
    });
  });

  describe('reading orders', () => {
    it.each([
      ['an unknown order', randomUUID()],
      ['a malformed id', 'not-an-order'],
    ])('answers 404 to %s', async (_case, orderId) => {
      const response = await api.call('GET', `/v1/orders/${orderId}`, { user: 'viewer' });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    });

    it('lists a customer’s orders newest first, page by page, with the total', async () => {
      const customerId = `cust-${randomUUID()}`;
      const ids: string[] = [];
      for (let index = 0; index < 3; index += 1) ids.push(await placed(anOrder({ customerId })));

      const first = await api.call('GET', `/v1/orders?customerId=${customerId}&pageSize=2`, {
        user: 'viewer',
      });
      expect(first.status).toBe(200);
      const page1 = (await first.json()) as { items: { orderId: string }[] };
      expect(page1).toMatchObject({ page: 1, pageSize: 2, total: 3 });
      expect(page1.items.map((item) => item.orderId)).toEqual([ids[2], ids[1]]);

      const second = await api.call(
        'GET',
        `/v1/orders?customerId=${customerId}&pageSize=2&page=2`,
        {
          user: 'viewer',
        },
      );
      const page2 = (await second.json()) as { items: { orderId: string }[] };
      expect(page2.items.map((item) => item.orderId)).toEqual([ids[0]]);
    });

    it('filters by status and defaults to the first page of 20', async () => {
      const customerId = `cust-${randomUUID()}`;
      const pending = await placed(anOrder({ customerId }));
      const confirmed = await placed(anOrder({ customerId }));
      await api.sql`update orders set status = 'CONFIRMED' where id = ${confirmed}`;

      const response = await api.call('GET', `/v1/orders?customerId=${customerId}&status=PENDING`, {
        user: 'viewer',
      });

      const page = (await response.json()) as { items: { orderId: string }[] };
      expect(page).toMatchObject({ page: 1, pageSize: 20, total: 1 });
      expect(page.items.map((item) => item.orderId)).toEqual([pending]);
    });

    it.each([
      ['pageSize=101', 'query.pageSize'],
      ['pageSize=0', 'query.pageSize'],
      ['page=0', 'query.page'],
      ['page=x', 'query.page'],
      ['page=0x10', 'query.page'],
      ['page=1e2', 'query.page'],
      ['page=10001', 'query.page'],
      ['status=SHIPPED', 'query.status'],
    ])('answers 400 with errors[] to %s', async (query, path) => {
      const response = await api.call('GET', `/v1/orders?${query}`, { user: 'viewer' });
      expect(response.status).toBe(400);
      const problem = (await response.json()) as Problem;
      expect(problem.errors?.map((error) => error.path)).toContain(path);
    });
  });

  describe('cancelling an order', () => {
    it('answers 202 with the order and asks Inventory to release it, once', async () => {
      const orderId = await placed();

      const response = await cancel(orderId);

      expect(response.status).toBe(202);
      expect(await response.json()).toMatchObject({
        orderId,
        status: 'PENDING',
        cancellationReason: 'CUSTOMER_CANCELLED',
      });
      const again = await cancel(orderId, { body: {} });
      expect(again.status).toBe(202);
      const outbox = await outboxOf(orderId);
      expect(outbox.map((row) => row.event_type)).toEqual([
        'OrderPlaced',
        'InventoryReleaseRequested',
      ]);
      expect(outbox[1]?.event.payload).toEqual({ orderId, reason: 'CUSTOMER_CANCELLED' });
    });

    it('asks billing to void a known invoice in the same transaction', async () => {
      const orderId = await placed();
      await api.sql`
        update orders set status = 'INVOICED', reserved_ever = true, invoice_id = 'inv-api'
        where id = ${orderId}`;

      expect((await cancel(orderId)).status).toBe(202);

      const outbox = await outboxOf(orderId);
      expect(outbox.map((row) => row.event_type)).toEqual([
        'OrderPlaced',
        'InventoryReleaseRequested',
        'InvoiceVoidRequested',
      ]);
    });

    it.each(['CONFIRMED', 'CANCELLED'])('answers 409 to an order that is %s', async (status) => {
      const orderId = await placed();
      await api.sql`
        update orders set status = ${status},
          cancellation_reason = ${status === 'CANCELLED' ? 'PAYMENT_FAILED' : null},
          inventory_released = ${status === 'CANCELLED'}
        where id = ${orderId}`;

      const response = await cancel(orderId);

      expect(response.status).toBe(409);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect((await outboxOf(orderId)).map((row) => row.event_type)).toEqual(['OrderPlaced']);
    });

    it('answers 404 to an unknown order and 403 to a viewer', async () => {
      expect((await cancel(randomUUID())).status).toBe(404);
      const orderId = await placed();
      const response = await api.call('POST', `/v1/orders/${orderId}/cancel`, {
        user: 'viewer',
        key: randomUUID(),
      });
      expect(response.status).toBe(403);
    });

    it('answers 400 to a body with fields, and to a cancel without an Idempotency-Key', async () => {
      const orderId = await placed();
      const withField = await cancel(orderId, { body: { reason: 'changed my mind' } });
      expect(withField.status).toBe(400);
      expect(((await withField.json()) as Problem).errors?.[0]?.path).toBe('body');
      const withoutKey = await api.call('POST', `/v1/orders/${orderId}/cancel`, { user: 'ops' });
      expect(withoutKey.status).toBe(400);
      expect((await outboxOf(orderId)).map((row) => row.event_type)).toEqual(['OrderPlaced']);
    });

    it('replays a repeated cancel with Idempotent-Replayed', async () => {
      const orderId = await placed();
      const key = randomUUID();
      const first = await cancel(orderId, { key });
      const second = await cancel(orderId, { key });
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(await second.text()).toBe(await first.text());
    });
  });
});
