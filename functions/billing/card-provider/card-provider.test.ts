import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { createTokenVerifier, tokenVerifierOptionsFrom } from '@atlas/auth';
import { loadStackConfig } from '@atlas/config';
import { migrationSetsOf } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { createEventCodec, registerSchemas, type AtlasEvent, type EventCodec } from '@atlas/events';
import { serve, type HttpRouteDependencies, type RunningFunction } from '@atlas/http';
import { createIdempotencyStore, createRedisClient } from '@atlas/idempotency';
import { removeKeys } from '@atlas/idempotency/testing';
import { cloudEventKafkaHeaders, eventFunction } from '@atlas/messaging';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { invoicingConsumer } from '../invoicing/invoicing.ts';
import { paymentWebhookRoutes } from '../payment-webhook/routes.ts';
import { handleEvent, invoiceOf, orderEvents, stagedEvents } from '../testing/billing-saga.ts';
import { cardProviderConsumer } from './card-provider.ts';

// The provider as its process runs it (an event function taking CloudEvents as a KafkaSource
// delivers them) calling a real webhook function served in-process, both on one fresh database.
const labels = { service: 'billing', function: 'card-provider-test' };
const logger = createLogger({ ...labels, level: 'silent' });
const keyPrefix = `atlas:test:${randomUUID()}`;
const secret = randomBytes(32).toString('hex');
const servers: RunningFunction[] = [];
let database: TestDatabase;
let codec: EventCodec;
let redis: Redis;
let webhook: RunningFunction;

async function serveWebhook(name: string, withSecret: string): Promise<RunningFunction> {
  const dependencies: HttpRouteDependencies = {
    verifier: createTokenVerifier(tokenVerifierOptionsFrom()),
    idempotencyStore: createIdempotencyStore({ redis, keyPrefix }),
    logger,
    registry: createMetricsRegistry({ ...labels, function: name }),
  };
  const running = await serve({
    name,
    routes: paymentWebhookRoutes(dependencies, database.sql, { secret: withSecret }),
    logger,
    registry: dependencies.registry,
  });
  servers.push(running);
  return running;
}

/** A provider process that posts its callbacks to `webhookUrl`. */
async function serveProvider(name: string, webhookUrl: URL): Promise<RunningFunction> {
  const registry = createMetricsRegistry({ ...labels, function: name });
  const handle = eventFunction(cardProviderConsumer(database.sql, { secret, webhookUrl }), {
    sql: database.sql,
    codec,
    logger,
    registry,
  });
  const running = await serve({
    name,
    routes: [{ method: 'POST', route: '/', handle }],
    logger,
    registry,
  });
  servers.push(running);
  return running;
}

const webhookUrlOf = (running: RunningFunction) => new URL('/v1/payments/webhook', running.url);

/** Delivers like a KafkaSource: binary mode, the record's ce_ headers as ce- headers. */
async function deliver(provider: RunningFunction, event: AtlasEvent): Promise<Response> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(cloudEventKafkaHeaders(event))) {
    headers[name.replace(/^ce_/, 'ce-')] = value;
  }
  return fetch(`${provider.url}/`, { method: 'POST', headers, body: await codec.encode(event) });
}

/** An invoiced order and the InvoiceCreated the invoicing consumer staged for it. */
async function invoiced(token: string) {
  const order = orderEvents({ token, total: '19.99' });
  await handleEvent(database.sql, invoicingConsumer(), order.placed);
  await handleEvent(database.sql, invoicingConsumer(), order.reserved);
  const [created] = await stagedEvents(database.sql, order.orderId);
  if (created?.eventType !== 'InvoiceCreated') throw new Error('the order was not invoiced');
  return {
    ...order,
    created,
    invoiceId: (created as AtlasEvent<'InvoiceCreated'>).payload.invoiceId,
  };
}

async function chargesOf(invoiceId: string) {
  return database.sql<{ outcome: string; decline_reason: string | null; callback_id: string }[]>`
    select outcome, decline_reason, callback_id from card_charges where invoice_id = ${invoiceId}`;
}

async function typesOf(orderId: string): Promise<string[]> {
  return (await stagedEvents(database.sql, orderId)).map((event) => event.eventType);
}

describe('the simulated card provider', () => {
  let provider: RunningFunction;

  beforeAll(async () => {
    const registryUrl = loadStackConfig().schemaRegistry.url;
    await registerSchemas({ registryUrl });
    codec = createEventCodec({ registryUrl });
    database = await createTestDatabase(migrationSetsOf('billing'));
    redis = await createRedisClient(loadStackConfig().redis.url);
    webhook = await serveWebhook('payment-webhook-for-provider', secret);
    provider = await serveProvider('card-provider-test', webhookUrlOf(webhook));
  });

  afterAll(async () => {
    for (const running of servers) await running.close();
    await removeKeys(redis, keyPrefix);
    redis.disconnect();
    await database.drop();
  });

  it('charges tok_visa once and the webhook makes the invoice PAID', async () => {
    const order = await invoiced('tok_visa');

    const response = await deliver(provider, order.created);

    expect(response.status).toBe(200);
    expect((await invoiceOf(database.sql, order.orderId))?.status).toBe('PAID');
    expect(await chargesOf(order.invoiceId)).toMatchObject([{ outcome: 'succeeded' }]);
    const [payment] = await database.sql<{ callback_id: string }[]>`
      select callback_id from payments where invoice_id = ${order.invoiceId}`;
    expect(payment?.callback_id).toBe((await chargesOf(order.invoiceId))[0]?.callback_id);
    const events = await stagedEvents(database.sql, order.orderId);
    expect(events.at(-1)).toMatchObject({
      eventType: 'PaymentSucceeded',
      correlationId: order.correlationId,
      payload: { amount: '19.99', currency: 'EUR' },
    });
  });

  it.each([
    ['tok_chargeDeclined', 'card_declined'],
    ['tok_stolen', 'invalid_token'],
  ])('declines %s, and the webhook reports PaymentFailed (%s)', async (token, reason) => {
    const order = await invoiced(token);

    expect((await deliver(provider, order.created)).status).toBe(200);

    expect((await invoiceOf(database.sql, order.orderId))?.status).toBe('OPEN');
    expect(await chargesOf(order.invoiceId)).toMatchObject([
      { outcome: 'failed', decline_reason: reason },
    ]);
    const events = await stagedEvents(database.sql, order.orderId);
    expect(events.at(-1)).toMatchObject({ eventType: 'PaymentFailed', payload: { reason } });
  });

  it('charges tok_slow after at least two seconds', async () => {
    const order = await invoiced('tok_slow');
    const started = Date.now();

    const response = await deliver(provider, order.created);

    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect((await invoiceOf(database.sql, order.orderId))?.status).toBe('PAID');
  });

  it('never charges twice when InvoiceCreated is delivered again, even under a new event id', async () => {
    const order = await invoiced('tok_visa');
    await deliver(provider, order.created);

    const again = await deliver(provider, order.created);
    const republished = await deliver(provider, { ...order.created, eventId: randomUUID() });

    expect([again.status, republished.status]).toEqual([200, 200]);
    expect(await chargesOf(order.invoiceId)).toHaveLength(1);
    expect(await typesOf(order.orderId)).toEqual(['InvoiceCreated', 'PaymentSucceeded']);
  });

  it('does not charge an invoice voided before the charge', async () => {
    const order = await invoiced('tok_visa');
    await handleEvent(database.sql, invoicingConsumer(), order.voidRequested(order.invoiceId));

    expect((await deliver(provider, order.created)).status).toBe(200);

    expect(await chargesOf(order.invoiceId)).toHaveLength(0);
    expect((await invoiceOf(database.sql, order.orderId))?.status).toBe('VOIDED');
  });

  describe('when the webhook does not accept the callback', () => {
    it.each([
      [
        'refuses it (401: another secret)',
        async () => webhookUrlOf(await serveWebhook(`refusing-${randomUUID()}`, 'x'.repeat(32))),
      ],
      ['does not answer', async () => new URL('http://127.0.0.1:1/v1/payments/webhook')],
    ])(
      'answers 503 when it %s, and the redelivery reports the same charge',
      async (_case, failing) => {
        const order = await invoiced('tok_visa');
        const broken = await serveProvider(`provider-${randomUUID()}`, await failing());

        const first = await deliver(broken, order.created);
        const afterFirst = await chargesOf(order.invoiceId);
        const retried = await deliver(provider, order.created);

        expect(first.status).toBe(503);
        expect(afterFirst).toHaveLength(1);
        expect(retried.status).toBe(200);
        expect(await chargesOf(order.invoiceId)).toEqual(afterFirst);
        expect((await invoiceOf(database.sql, order.orderId))?.status).toBe('PAID');
        expect(await typesOf(order.orderId)).toEqual(['InvoiceCreated', 'PaymentSucceeded']);
      },
    );
  });
});
