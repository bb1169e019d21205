import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Admin, Kafka } from 'kafkajs';
import { transaction } from '@atlas/db';
import { startTestApi, type ServiceTestApi } from '@atlas/http/testing';
import { createRedisClient } from '@atlas/idempotency';
import { removeKeys } from '@atlas/idempotency/testing';
import { loadStackConfig } from '@atlas/config';
import { redisRedrivenLedger } from '@atlas/messaging/dead-letters';
import { testKafka } from '@atlas/messaging/testing';
import { insertOrder, waitingOn } from '@atlas/order-domain';
import type { Redis } from 'ioredis';
import { listStuckOrdersRoutes } from './list-stuck-orders/routes.ts';

let api: ServiceTestApi;
let kafka: Kafka;
let admin: Admin;
let redis: Redis;
const dlq = `atlas.test${randomUUID().replace(/[^a-f]/g, '')}.dlq.v1`;
const ledgerPrefix = `atlas:test:${randomUUID()}:redriven`;

interface Stuck {
  orderId: string;
  status: string;
  waitingOn: { service: string; step: string; legitimate: boolean };
  deadLetters: { id: string; eventType: string }[];
}

/** An order whose last step was `minutesAgo` minutes ago, at `status`. */
async function orderAt(status: string, minutesAgo: number, cancelling = false): Promise<string> {
  const id = randomUUID();
  await transaction(api.sql, async (tx) => {
    await insertOrder(tx, {
      id,
      customerId: 'cust-stuck',
      currency: 'EUR',
      lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: '10.00' }],
      totalCents: 1000n,
    });
    await tx`
      update orders set status = ${status},
        cancellation_reason = ${cancelling ? 'CUSTOMER_CANCELLED' : null},
        updated_at = clock_timestamp() - make_interval(mins => ${minutesAgo})
      where id = ${id}`;
  });
  return id;
}

const stuck = async (query = ''): Promise<Stuck[]> => {
  const response = await api.call('GET', `/v1/ops/stuck-orders${query}`, { user: 'ops' });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: Stuck[] }).items;
};

describe('the stuck orders', () => {
  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: dlq, numPartitions: 1 }], waitForLeaders: true });
    redis = await createRedisClient(loadStackConfig().redis.url);
    api = await startTestApi({
      name: 'stuck-orders-test',
      service: 'order',
      routes: (dependencies, sql) =>
        listStuckOrdersRoutes(dependencies, sql, {
          source: { kafka, topics: [dlq] },
          ledger: redisRedrivenLedger(redis, ledgerPrefix),
        }),
      users: ['ops', 'viewer'],
    });
  });

  afterAll(async () => {
    await api.close();
    await admin.deleteTopics({ topics: [dlq] });
    await admin.disconnect();
    await removeKeys(redis, ledgerPrefix);
    redis.disconnect();
  });

  it('lists orders unsettled past the age, oldest first, with the step each waits on', async () => {
    const invoiced = await orderAt('INVOICED', 30);
    const pending = await orderAt('PENDING', 60);
    const fresh = await orderAt('INVENTORY_RESERVED', 1);
    const done = await orderAt('CONFIRMED', 90);

    const ids = (await stuck()).map((order) => order.orderId);

    expect(ids.indexOf(pending)).toBeLessThan(ids.indexOf(invoiced));
    expect(ids).toEqual(expect.arrayContaining([pending, invoiced]));
    expect(ids).not.toContain(fresh);
    expect(ids).not.toContain(done);
    const [first] = (await stuck()).filter((order) => order.orderId === invoiced);
    expect(first?.waitingOn).toEqual({
      service: 'billing',
      step: 'PaymentSucceeded or PaymentFailed',
      legitimate: false,
    });
  });

  it('leaves legitimate waits (backorders, approvals) out unless asked, and names a compensation', async () => {
    const backordered = await orderAt('BACKORDERED', 30);
    const compensating = await orderAt('INVOICED', 30, true);

    const plain = (await stuck()).map((order) => order.orderId);
    const all = (await stuck('?includeWaiting=true&pageSize=100')).map((order) => order.orderId);

    expect(plain).not.toContain(backordered);
    expect(plain).toContain(compensating);
    expect(all).toContain(backordered);
    const [cancelling] = (await stuck('?pageSize=100')).filter((o) => o.orderId === compensating);
    expect(cancelling?.waitingOn.step).toBe('InventoryReleased (compensation)');
  });

  it('shows the dead letters holding an order, until they are redriven', async () => {
    const orderId = await orderAt('INVENTORY_RESERVED', 30);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: dlq,
      messages: [
        {
          key: orderId,
          value: Buffer.from('x'),
          headers: { ce_type: 'InventoryReserved', atlas_dlq_consumer: 'billing-invoicing' },
        },
      ],
    });
    await producer.disconnect();

    const [held] = (await stuck('?pageSize=100')).filter((order) => order.orderId === orderId);
    expect(held?.deadLetters).toEqual([
      expect.objectContaining({ eventType: 'InventoryReserved' }),
    ]);

    await redisRedrivenLedger(redis, ledgerPrefix).markRedriven(held?.deadLetters[0]?.id ?? '');
    const [after] = (await stuck('?pageSize=100')).filter((order) => order.orderId === orderId);
    expect(after?.deadLetters).toEqual([]);
  });

  it('answers 400 to a bad age and 403 without ops:operate', async () => {
    expect(
      (await api.call('GET', '/v1/ops/stuck-orders?olderThanSeconds=0x10', { user: 'ops' })).status,
    ).toBe(400);
    expect((await api.call('GET', '/v1/ops/stuck-orders', { user: 'viewer' })).status).toBe(403);
  });

  it('derives the step from the status alone', () => {
    const base = {
      cancellation_reason: null,
      inventory_released: false,
      billing_compensation: 'NONE',
    } as const;
    expect(waitingOn({ ...base, status: 'PAID' }).service).toBe('workflow');
    expect(waitingOn({ ...base, status: 'AWAITING_APPROVAL' }).legitimate).toBe(true);
  });
});
