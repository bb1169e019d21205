import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signatureHeader } from '@atlas/billing-domain';
import { startTestApi, type ServiceTestApi } from '@atlas/http/testing';
import { invoicingConsumer } from '../invoicing/invoicing.ts';
import { handleEvent, invoiceOf, orderEvents, stagedEvents } from '../testing/billing-saga.ts';
import { paymentWebhookRoutes } from './routes.ts';

// The webhook function's route, built as main.ts builds it, served in-process against a fresh
// database. Its clock is fixed so signatures can be made stale on purpose.
const secret = randomBytes(32).toString('hex');
const clock = new Date('2026-11-28T10:00:00.000Z');
const secondsFromClock = (seconds: number) => new Date(clock.getTime() + seconds * 1000);
let api: ServiceTestApi;

async function invoicedOrder() {
  const order = orderEvents({ total: '120.50' });
  await handleEvent(api.sql, invoicingConsumer(), order.placed);
  await handleEvent(api.sql, invoicingConsumer(), order.reserved);
  const invoice = await invoiceOf(api.sql, order.orderId);
  return { ...order, invoiceId: invoice?.invoiceId ?? '' };
}

function successOf(order: { orderId: string; invoiceId: string }): Record<string, string> {
  return {
    callbackId: `cb_${randomUUID()}`,
    type: 'succeeded',
    chargeId: `ch_${randomUUID()}`,
    invoiceId: order.invoiceId,
    orderId: order.orderId,
    amount: '120.50',
    currency: 'EUR',
  };
}

const post = (body: string, signature: string | undefined, correlationId?: string) =>
  api.call('POST', '/v1/payments/webhook', {
    rawBody: body,
    ...(signature === undefined ? {} : { headers: { 'atlas-signature': signature } }),
    ...(correlationId ? { correlationId } : {}),
  });

/** Signs the exact bytes sent, at the given time (the fixed clock by default). */
const signed = (body: unknown, at = clock, correlationId?: string) => {
  const raw = JSON.stringify(body);
  return post(raw, signatureHeader(secret, Buffer.from(raw), at), correlationId);
};

async function countOf(table: 'payments' | 'payment_callbacks', orderId: string) {
  const [row] = await api.sql<{ n: number }[]>`
    select count(*)::int as n from ${api.sql(table)}
    where invoice_id = (select invoice_id from invoices where order_id = ${orderId})`;
  return row?.n ?? 0;
}

describe('the payment webhook', () => {
  beforeAll(async () => {
    api = await startTestApi({
      name: 'payment-webhook-test',
      service: 'billing',
      routes: (dependencies, sql) =>
        paymentWebhookRoutes(dependencies, sql, { secret, now: () => clock }),
    });
  });

  afterAll(() => api.close());

  it('applies a correctly signed success without a token or Idempotency-Key', async () => {
    const order = await invoicedOrder();
    const callback = successOf(order);
    const correlationId = `provider-${randomUUID()}`;

    const response = await signed(callback, clock, correlationId);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      callbackId: callback['callbackId'],
      invoiceId: order.invoiceId,
      effect: 'PAY',
      replayed: false,
    });
    expect((await invoiceOf(api.sql, order.orderId))?.status).toBe('PAID');
    const events = await stagedEvents(api.sql, order.orderId);
    expect(events.at(-1)).toMatchObject({
      eventType: 'PaymentSucceeded',
      correlationId,
      causationId: callback['callbackId'],
      payload: { paymentId: callback['chargeId'], amount: '120.50' },
    });
  });

  it('answers a replay 200 with the first effect and applies nothing a second time', async () => {
    const order = await invoicedOrder();
    const callback = successOf(order);
    await signed(callback);

    // The provider re-signs a retry, so the replay carries a newer timestamp.
    const replay = await signed(callback, secondsFromClock(-30));

    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ effect: 'PAY', replayed: true });
    expect(await countOf('payments', order.orderId)).toBe(1);
    expect(await countOf('payment_callbacks', order.orderId)).toBe(1);
    const types = (await stagedEvents(api.sql, order.orderId)).map((e) => e.eventType);
    expect(types).toEqual(['InvoiceCreated', 'PaymentSucceeded']);
  });

  it('applies a callback sent many times at once exactly once, and answers every copy 200', async () => {
    const order = await invoicedOrder();
    const callback = successOf(order);

    // The provider retrying while its first attempt is still in flight: each copy waits for the
    // invoice's lock and must then see what the copy before it wrote.
    const copies = await Promise.all(Array.from({ length: 6 }, () => signed(callback)));

    expect(copies.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const answers = (await Promise.all(copies.map((response) => response.json()))) as {
      replayed: boolean;
    }[];
    expect(answers.filter((answer) => !answer.replayed)).toHaveLength(1);
    expect(await countOf('payments', order.orderId)).toBe(1);
    expect(await countOf('payment_callbacks', order.orderId)).toBe(1);
  });

  describe('refuses with 401, before reading the body, a callback', () => {
    const raw = (body: unknown) => JSON.stringify(body);

    it.each([
      ['without a signature', (body: string) => post(body, undefined)],
      [
        'signed with another secret',
        (body: string) =>
          post(body, signatureHeader(randomBytes(32).toString('hex'), Buffer.from(body), clock)),
      ],
      [
        'signed more than five minutes ago',
        (body: string) =>
          post(body, signatureHeader(secret, Buffer.from(body), secondsFromClock(-301))),
      ],
      [
        'signed more than five minutes in the future',
        (body: string) =>
          post(body, signatureHeader(secret, Buffer.from(body), secondsFromClock(301))),
      ],
      [
        'whose body was changed after signing',
        (body: string) =>
          post(body.replace('120.50', '0.01'), signatureHeader(secret, Buffer.from(body), clock)),
      ],
      ['with a malformed signature header', (body: string) => post(body, 'sha256=abc')],
    ])('%s', async (_case, send) => {
      const order = await invoicedOrder();

      const response = await send(raw(successOf(order)));

      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await response.json()).toMatchObject({
        status: 401,
        instance: '/v1/payments/webhook',
      });
      expect((await invoiceOf(api.sql, order.orderId))?.status).toBe('OPEN');
      expect(await countOf('payment_callbacks', order.orderId)).toBe(0);
    });

    it('that is not even JSON', async () => {
      expect((await post('not json at all', 't=1,v1=00')).status).toBe(401);
    });
  });

  it('answers 400 to a signed body that is not JSON or breaks the schema', async () => {
    const notJson = 'not json at all';
    const response = await post(notJson, signatureHeader(secret, Buffer.from(notJson), clock));
    expect(response.status).toBe(400);

    const order = await invoicedOrder();
    const invalid = await signed({ ...successOf(order), tip: '1.00' });
    expect(invalid.status).toBe(400);
    const problem = (await invalid.json()) as { errors: { path: string }[] };
    expect(problem.errors[0]?.path).toBe('body');
  });

  it('answers 404 for an unknown invoice', async () => {
    const order = await invoicedOrder();
    const response = await signed({ ...successOf(order), invoiceId: randomUUID() });
    expect(response.status).toBe(404);
  });

  it('answers 409 to a callback whose amount is not the invoice amount', async () => {
    const order = await invoicedOrder();
    const response = await signed({ ...successOf(order), amount: '99.00' });
    expect(response.status).toBe(409);
    expect((await invoiceOf(api.sql, order.orderId))?.status).toBe('OPEN');
  });

  it('answers 422 to a known callback id with other fields', async () => {
    const order = await invoicedOrder();
    const callback = successOf(order);
    await signed(callback);
    const response = await signed({ ...callback, chargeId: 'ch_other' });
    expect(response.status).toBe(422);
    expect(await countOf('payments', order.orderId)).toBe(1);
  });

  it('reports a failure as PaymentFailed', async () => {
    const order = await invoicedOrder();
    const response = await signed({ ...successOf(order), type: 'failed', reason: 'card_declined' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ effect: 'DECLINE', replayed: false });
    const events = await stagedEvents(api.sql, order.orderId);
    expect(events.at(-1)).toMatchObject({
      eventType: 'PaymentFailed',
      payload: { reason: 'card_declined' },
    });
  });
});
