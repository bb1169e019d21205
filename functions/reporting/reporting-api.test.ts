import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEvent, type AtlasEvent, type EventPayloads } from '@atlas/events';
import { PAYLOAD_FIXTURES } from '@atlas/events/testing';
import { startTestApi, type ServiceTestApi } from '@atlas/http/testing';
import { serveConsumer, type ConsumerUnderTest } from '@atlas/messaging/testing';
import { dailySalesRoutes } from './daily-sales/routes.ts';
import { listOrdersRoutes } from './list-orders/routes.ts';
import { orderTimelineRoutes } from './order-timeline/routes.ts';
import { projectEventsConsumer } from './project-events/consumer.ts';

// The projector as its KafkaSource reaches it (binary CloudEvents over HTTP) and the three report
// routes as their main.ts build them, over one fresh database, real Redis, registry and Keycloak.
let api: ServiceTestApi;
let projector: ConsumerUnderTest;

type SagaType = Exclude<keyof EventPayloads, 'StockReceived' | 'AuditRecorded'>;

/** A saga event of `orderId` at a given time, caused by the previous one. */
function sagaEvent<T extends SagaType>(
  orderId: string,
  type: T,
  at: string,
  payload: Partial<EventPayloads[T]> = {},
): AtlasEvent {
  return createEvent(
    type,
    { ...PAYLOAD_FIXTURES[type], ...payload, orderId },
    {
      producer: 'test',
      correlationId: `corr-${orderId}`,
      causationId: randomUUID(),
      occurredAt: new Date(at),
    },
  );
}

const get = (path: string, user = 'viewer') => api.call('GET', path, { user });

async function body<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

interface OrderPage {
  items: { orderId: string; status: string; total: string | null }[];
  page: number;
  pageSize: number;
  total: number;
}

// Three orders: A confirmed (a large one, through approval), B cancelled after a rejection
// and refunded, C confirmed in another currency on another day.
const a = randomUUID();
const b = randomUUID();
const c = randomUUID();
const happy = [
  sagaEvent(a, 'OrderPlaced', '2026-11-20T09:00:00.000Z', {
    customerId: 'cust-a',
    total: '12500.00',
  }),
  sagaEvent(a, 'InventoryReserved', '2026-11-20T09:00:01.000Z'),
  sagaEvent(a, 'InvoiceCreated', '2026-11-20T09:00:02.000Z', { amount: '12500.00' }),
  sagaEvent(a, 'PaymentSucceeded', '2026-11-20T09:00:03.000Z', { amount: '12500.00' }),
  sagaEvent(a, 'ApprovalRequested', '2026-11-20T09:00:04.000Z'),
  sagaEvent(a, 'ApprovalGranted', '2026-11-20T09:00:05.000Z'),
  sagaEvent(a, 'OrderConfirmed', '2026-11-20T09:00:06.000Z', { total: '12500.00' }),
];
const rejected = [
  sagaEvent(b, 'OrderPlaced', '2026-11-21T10:00:00.000Z', { customerId: 'cust-b' }),
  sagaEvent(b, 'InventoryReserved', '2026-11-21T10:00:01.000Z'),
  sagaEvent(b, 'InvoiceCreated', '2026-11-21T10:00:02.000Z'),
  sagaEvent(b, 'PaymentSucceeded', '2026-11-21T10:00:03.000Z'),
  sagaEvent(b, 'ApprovalRejected', '2026-11-21T10:00:04.000Z'),
  sagaEvent(b, 'PaymentRefunded', '2026-11-21T10:00:05.000Z', { amount: '43.99' }),
  sagaEvent(b, 'InvoiceVoided', '2026-11-21T10:00:06.000Z'),
  sagaEvent(b, 'InventoryReleased', '2026-11-21T10:00:07.000Z'),
  sagaEvent(b, 'OrderCancelled', '2026-11-21T10:00:08.000Z', { reason: 'APPROVAL_REJECTED' }),
];
const otherCurrency = [
  sagaEvent(c, 'OrderPlaced', '2026-11-21T23:59:00.000Z', {
    customerId: 'cust-a',
    currency: 'USD',
    total: '10.00',
  }),
  sagaEvent(c, 'OrderConfirmed', '2026-11-22T00:00:30.000Z', { total: '10.00', currency: 'USD' }),
];

describe('the reporting read models', () => {
  beforeAll(async () => {
    api = await startTestApi({
      name: 'reports-test',
      service: 'reporting',
      routes: (dependencies, sql) => [
        ...listOrdersRoutes(dependencies, sql),
        ...orderTimelineRoutes(dependencies, sql),
        ...dailySalesRoutes(dependencies, sql),
      ],
      users: ['admin', 'ops', 'finance', 'approver', 'viewer'],
    });
    projector = await serveConsumer(projectEventsConsumer(), api.sql);

    // Topics are not ordered with respect to each other, and sources redeliver: shuffle each
    // order's events and send some twice.
    const arrival = [
      ...[...happy].reverse(),
      happy[2],
      happy[6],
      ...rejected.slice(4),
      ...rejected.slice(0, 4),
      rejected[5],
      ...otherCurrency,
    ];
    for (const event of arrival) {
      if (event) expect((await projector.deliver(event)).status).toBe(200);
    }
  });

  afterAll(async () => {
    await projector.close();
    await api.close();
  });

  describe('the orders report', () => {
    it('shows each order at its furthest status, whatever order its events came in', async () => {
      const response = await get('/v1/reports/orders');

      expect(response.status).toBe(200);
      const page = await body<OrderPage>(response);
      expect(page).toMatchObject({ page: 1, pageSize: 20, total: 3 });
      // Newest first by creation time.
      expect(page.items.map((item) => item.orderId)).toEqual([c, b, a]);
      expect(page.items[2]).toEqual({
        orderId: a,
        status: 'CONFIRMED',
        customerId: 'cust-a',
        currency: 'EUR',
        total: '12500.00',
        invoiceId: PAYLOAD_FIXTURES.InvoiceCreated.invoiceId,
        approvalId: PAYLOAD_FIXTURES.ApprovalRequested.approvalId,
        cancellationReason: null,
        createdAt: '2026-11-20T09:00:00.000Z',
        updatedAt: '2026-11-20T09:00:06.000Z',
        confirmedAt: '2026-11-20T09:00:06.000Z',
        cancelledAt: null,
      });
      expect(page.items[1]).toMatchObject({
        orderId: b,
        status: 'CANCELLED',
        cancellationReason: 'APPROVAL_REJECTED',
        cancelledAt: '2026-11-21T10:00:08.000Z',
      });
    });

    it.each([
      ['status', '?status=CANCELLED', [b]],
      ['customer', '?customerId=cust-a', [c, a]],
      ['creation day', '?from=2026-11-21&to=2026-11-21', [c, b]],
      ['creation instant', '?from=2026-11-20T09:00:00Z&to=2026-11-21T10:00:00Z', [b, a]],
      ['customer and status', '?customerId=cust-a&status=CONFIRMED&to=2026-11-20', [a]],
    ])('filters by %s', async (_case, query, expected) => {
      const page = await body<OrderPage>(await get(`/v1/reports/orders${query}`));
      expect(page.items.map((item) => item.orderId)).toEqual(expected);
      expect(page.total).toBe(expected.length);
    });

    it('pages the list and tells the total', async () => {
      const second = await body<OrderPage>(await get('/v1/reports/orders?page=2&pageSize=2'));
      expect(second).toMatchObject({ page: 2, pageSize: 2, total: 3 });
      expect(second.items.map((item) => item.orderId)).toEqual([a]);
      const beyond = await body<OrderPage>(await get('/v1/reports/orders?page=5&pageSize=2'));
      expect(beyond).toEqual({ items: [], page: 5, pageSize: 2, total: 3 });
    });

    it.each([
      ['an unknown status', '?status=SHIPPED', 'query.status'],
      ['a page of 0', '?page=0', 'query.page'],
      ['a page size over 100', '?pageSize=101', 'query.pageSize'],
      ['a date that is not one', '?from=last-week', 'query.from'],
      ['a start after the end', '?from=2026-11-22&to=2026-11-21', 'query.from'],
      ['an unknown parameter', '?sort=total', 'query'],
    ])('answers 400 with the field for %s', async (_case, query, path) => {
      const response = await get(`/v1/reports/orders${query}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = await body<{ errors: { path: string }[] }>(response);
      expect(problem.errors.map((error) => error.path)).toContain(path);
    });
  });

  describe('the order timeline', () => {
    it('lists every event of the saga once, oldest first, with its envelope', async () => {
      const response = await get(`/v1/reports/orders/${a}/timeline`);

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        orderId: a,
        items: happy.map((event) => ({
          eventId: event.eventId,
          eventType: event.eventType,
          occurredAt: event.occurredAt,
          correlationId: event.correlationId,
          causationId: event.causationId,
          producer: event.producer,
        })),
      });
    });

    it('answers 404 for an order of which no event is known', async () => {
      const response = await get(`/v1/reports/orders/${randomUUID()}/timeline`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    });
  });

  describe('the daily sales report', () => {
    it('sums per UTC day and currency the confirmed orders and the refunds', async () => {
      const response = await get('/v1/reports/sales/daily?from=2026-11-19&to=2026-11-22');

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        from: '2026-11-19',
        to: '2026-11-22',
        items: [
          {
            date: '2026-11-20',
            currency: 'EUR',
            ordersConfirmed: 1,
            revenue: '12500.00',
            refunds: '0.00',
          },
          {
            date: '2026-11-21',
            currency: 'EUR',
            ordersConfirmed: 0,
            revenue: '0.00',
            refunds: '43.99',
          },
          {
            date: '2026-11-22',
            currency: 'USD',
            ordersConfirmed: 1,
            revenue: '10.00',
            refunds: '0.00',
          },
        ],
      });
    });

    it('leaves out the days outside the range', async () => {
      const response = await get('/v1/reports/sales/daily?from=2026-11-21&to=2026-11-21');
      const report = await body<{ items: { date: string }[] }>(response);
      expect(report.items.map((item) => item.date)).toEqual(['2026-11-21']);
    });

    it('answers 400 to a range that ends before it starts', async () => {
      const response = await get('/v1/reports/sales/daily?from=2026-11-22&to=2026-11-21');
      expect(response.status).toBe(400);
    });
  });

  describe('who may read the reports', () => {
    it.each(['admin', 'ops', 'finance', 'approver', 'viewer'])(
      'lets %s read them',
      async (user) => {
        for (const path of [
          '/v1/reports/orders',
          `/v1/reports/orders/${a}/timeline`,
          '/v1/reports/sales/daily',
        ]) {
          expect((await get(path, user)).status).toBe(200);
        }
      },
    );

    it('answers 401 without a token', async () => {
      const response = await api.call('GET', '/v1/reports/orders');
      expect(response.status).toBe(401);
    });
  });
});
