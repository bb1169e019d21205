import { transaction } from '@atlas/db';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type ServiceTestApi } from '@atlas/http/testing';
import { releaseOrder, reserveOrBackorder } from '@atlas/inventory-items';
import {
  ordersBothReservedAndBackordered,
  stockInvariantViolations,
} from '@atlas/inventory-items/testing';
import { getItemRoutes } from './get-item/routes.ts';
import { receiveStockRoutes } from './receive-stock/routes.ts';
import { setStockRoutes } from './set-stock/routes.ts';

// The three inventory functions' routes, built as their main.ts builds them, served in-process
// against a fresh database, real Redis and real Keycloak tokens.
let api: ServiceTestApi;

const setStock = (sku: string, body: unknown, key = randomUUID(), user = 'ops') =>
  api.call('PUT', `/v1/inventory/items/${sku}`, { user, body, key });
const receive = (sku: string, body: unknown, key = randomUUID(), correlationId?: string) =>
  api.call('POST', `/v1/inventory/items/${sku}/receipts`, {
    user: 'ops',
    body,
    key,
    ...(correlationId ? { correlationId } : {}),
  });

/** Places an order the way the reservations consumer does; answers its id. */
async function place(sku: string, quantity: number): Promise<string> {
  const orderId = randomUUID();
  await transaction(api.sql, (tx) =>
    reserveOrBackorder(tx, { orderId, lines: [{ sku, quantity }] }),
  );
  return orderId;
}

async function backorderStatus(orderId: string): Promise<string | undefined> {
  const [row] = await api.sql<{ status: string }[]>`
    select status from inventory_backorders where order_id = ${orderId}`;
  return row?.status;
}

async function reservedEvents(orderIds: readonly string[]) {
  return api.sql<{ aggregate_id: string; event: Record<string, unknown> }[]>`
    select aggregate_id, event from atlas_outbox
    where event_type = 'InventoryReserved' and aggregate_id = any(${api.sql.array([...orderIds])}::text[])
    order by id`;
}

describe('the inventory item API', () => {
  beforeAll(async () => {
    api = await startTestApi({
      name: 'inventory-api-test',
      service: 'inventory',
      routes: (dependencies, sql) => [
        ...setStockRoutes(dependencies, sql),
        ...getItemRoutes(dependencies, sql),
        ...receiveStockRoutes(dependencies, sql),
      ],
      users: ['ops', 'viewer', 'finance'],
    });
  });

  afterEach(async () => {
    expect(await stockInvariantViolations(api.sql)).toEqual([]);
    expect(await ordersBothReservedAndBackordered(api.sql)).toEqual([]);
  });

  afterAll(() => api.close());

  it('sets an item and answers it to every reader', async () => {
    const put = await setStock('SKU-TEAPOT', { onHand: 12, name: 'Teapot' });
    expect(put.status).toBe(200);
    const item = { sku: 'SKU-TEAPOT', name: 'Teapot', onHand: 12, reserved: 0, available: 12 };
    expect(await put.json()).toEqual(item);

    for (const user of ['viewer', 'finance']) {
      const get = await api.call('GET', '/v1/inventory/items/SKU-TEAPOT', { user });
      expect(get.status).toBe(200);
      expect(await get.json()).toEqual(item);
    }
    // Without a name the name stays.
    expect(await (await setStock('SKU-TEAPOT', { onHand: 3 })).json()).toMatchObject({
      name: 'Teapot',
      onHand: 3,
    });
  });

  it('answers 401 without a token and 403 to a viewer setting stock', async () => {
    expect((await api.call('GET', '/v1/inventory/items/SKU-TEAPOT')).status).toBe(401);
    expect(
      (
        await api.call('PUT', '/v1/inventory/items/SKU-X', {
          body: { onHand: 1 },
          key: randomUUID(),
        })
      ).status,
    ).toBe(401);
    expect((await setStock('SKU-X', { onHand: 1 }, randomUUID(), 'viewer')).status).toBe(403);
  });

  it.each([
    ['a bad SKU', '-bad', { onHand: 1 }, 'params.sku'],
    ['a negative onHand', 'SKU-X', { onHand: -1 }, 'body.onHand'],
    ['an unknown field', 'SKU-X', { onHand: 1, colour: 'red' }, 'body'],
  ])('answers 400 to %s', async (_case, sku, body, path) => {
    const response = await setStock(sku, body);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { path: string }[] };
    expect(problem.errors[0]?.path).toBe(path);
  });

  it('answers 400 to a command without an Idempotency-Key', async () => {
    const response = await api.call('PUT', '/v1/inventory/items/SKU-X', {
      user: 'ops',
      body: { onHand: 1 },
    });
    expect(response.status).toBe(400);
  });

  it('answers 404 for an unknown SKU, on reading and on receiving', async () => {
    const get = await api.call('GET', '/v1/inventory/items/SKU-NONE', { user: 'viewer' });
    expect(get.status).toBe(404);
    expect(get.headers.get('content-type')).toContain('application/problem+json');
    expect((await receive('SKU-NONE', { quantity: 1 })).status).toBe(404);
    expect(await api.sql`select 1 from atlas_outbox`).toHaveLength(0);
  });

  it('adds a receipt to the stock and stages exactly one StockReceived with the request correlation id', async () => {
    await setStock('SKU-MUG', { onHand: 5 });
    const correlationId = `receipt-${randomUUID()}`;

    const response = await receive('SKU-MUG', { quantity: 7 }, randomUUID(), correlationId);

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      sku: 'SKU-MUG',
      onHand: 12,
      reserved: 0,
      available: 12,
    });
    const rows = await api.sql<
      { event_type: string; aggregate_id: string; event: Record<string, unknown> }[]
    >`
      select event_type, aggregate_id, event from atlas_outbox where aggregate_id = 'SKU-MUG'`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      event_type: 'StockReceived',
      event: {
        eventType: 'StockReceived',
        producer: 'inventory',
        correlationId,
        causationId: correlationId,
        aggregateType: 'InventoryItem',
        aggregateId: 'SKU-MUG',
        payload: { sku: 'SKU-MUG', quantity: 7, onHand: 12 },
      },
    });
  });

  it('replays a repeated PUT and a repeated receipt, applying the receipt once', async () => {
    const putKey = randomUUID();
    const firstPut = await setStock('SKU-CUP', { onHand: 2 }, putKey);
    const secondPut = await setStock('SKU-CUP', { onHand: 2 }, putKey);
    expect(secondPut.status).toBe(200);
    expect(await secondPut.text()).toBe(await firstPut.text());
    expect(secondPut.headers.get('idempotent-replayed')).toBe('true');

    const key = randomUUID();
    const first = await receive('SKU-CUP', { quantity: 4 }, key);
    const second = await receive('SKU-CUP', { quantity: 4 }, key);
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.text()).toBe(await first.text());

    const [item] = await api.sql<{ on_hand: number }[]>`
      select on_hand from inventory_items where sku = 'SKU-CUP'`;
    expect(item?.on_hand).toBe(6);
    expect(await api.sql`select 1 from atlas_outbox where aggregate_id = 'SKU-CUP'`).toHaveLength(
      1,
    );
  });

  it('answers 409 to stock below what is reserved, and keeps the stock', async () => {
    await setStock('SKU-BOX', { onHand: 10 });
    await place('SKU-BOX', 6);

    const response = await setStock('SKU-BOX', { onHand: 5 });

    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const get = await api.call('GET', '/v1/inventory/items/SKU-BOX', { user: 'viewer' });
    expect(await get.json()).toMatchObject({ onHand: 10, reserved: 6, available: 4 });
    expect((await setStock('SKU-BOX', { onHand: 6 })).status).toBe(200);
  });

  it('fills backorders oldest first on a receipt, skipping an older one it cannot fill, in the same transaction', async () => {
    await setStock('SKU-KETTLE', { onHand: 0 });
    const tooBig = await place('SKU-KETTLE', 10);
    const older = await place('SKU-KETTLE', 2);
    const younger = await place('SKU-KETTLE', 2);
    const youngest = await place('SKU-KETTLE', 1);
    const correlationId = `receipt-${randomUUID()}`;

    const response = await receive('SKU-KETTLE', { quantity: 4 }, randomUUID(), correlationId);

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      sku: 'SKU-KETTLE',
      onHand: 4,
      reserved: 4,
      available: 0,
    });
    expect(
      await Promise.all([tooBig, older, younger, youngest].map((id) => backorderStatus(id))),
    ).toEqual(['OPEN', 'FILLED', 'FILLED', 'OPEN']);
    const events = await reservedEvents([tooBig, older, younger, youngest]);
    expect(events.map((row) => row.aggregate_id)).toEqual([older, younger]);
    expect(events[0]?.event).toMatchObject({
      producer: 'inventory',
      correlationId,
      causationId: correlationId,
      payload: { orderId: older, lines: [{ sku: 'SKU-KETTLE', quantity: 2 }] },
    });
  });

  it('fills a backorder only once all of its items have stock', async () => {
    await setStock('SKU-LID', { onHand: 0 });
    await setStock('SKU-POT', { onHand: 0 });
    const orderId = randomUUID();
    await transaction(api.sql, (tx) =>
      reserveOrBackorder(tx, {
        orderId,
        lines: [
          { sku: 'SKU-POT', quantity: 1 },
          { sku: 'SKU-LID', quantity: 1 },
        ],
      }),
    );

    await receive('SKU-POT', { quantity: 1 });
    const afterPots = await backorderStatus(orderId);
    await receive('SKU-LID', { quantity: 1 });

    expect(afterPots).toBe('OPEN');
    expect(await backorderStatus(orderId)).toBe('FILLED');
    const [event] = await reservedEvents([orderId]);
    expect(event?.event).toMatchObject({
      payload: {
        orderId,
        lines: [
          { sku: 'SKU-LID', quantity: 1 },
          { sku: 'SKU-POT', quantity: 1 },
        ],
      },
    });
  });

  it('fills a backorder for a SKU it did not know once its stock is set, with the request correlation id', async () => {
    const orderId = await place('SKU-NEWCOMER', 3);
    const correlationId = `stock-${randomUUID()}`;

    const response = await api.call('PUT', '/v1/inventory/items/SKU-NEWCOMER', {
      user: 'ops',
      body: { onHand: 5, name: 'Newcomer' },
      key: randomUUID(),
      correlationId,
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      sku: 'SKU-NEWCOMER',
      name: 'Newcomer',
      onHand: 5,
      reserved: 3,
      available: 2,
    });
    expect(await backorderStatus(orderId)).toBe('FILLED');
    const [event] = await reservedEvents([orderId]);
    expect(event?.event).toMatchObject({ correlationId, causationId: correlationId });
  });

  it('leaves backorders open when a receipt cannot fill them, and still answers 202', async () => {
    await setStock('SKU-SAUCER', { onHand: 0 });
    const orderId = await place('SKU-SAUCER', 5);

    const response = await receive('SKU-SAUCER', { quantity: 4 });

    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    expect(await backorderStatus(orderId)).toBe('OPEN');
    expect(await reservedEvents([orderId])).toEqual([]);
  });

  it('keeps every order whole and no fillable backorder waiting while orders, receipts and releases race on shared items', async () => {
    await setStock('SKU-RACE-A', { onHand: 3 });
    await setStock('SKU-RACE-B', { onHand: 3 });
    const orderLines = [
      [
        { sku: 'SKU-RACE-A', quantity: 1 },
        { sku: 'SKU-RACE-B', quantity: 1 },
      ],
      [
        { sku: 'SKU-RACE-B', quantity: 2 },
        { sku: 'SKU-RACE-A', quantity: 1 },
      ],
      [{ sku: 'SKU-RACE-B', quantity: 1 }],
    ];
    const orders = Array.from({ length: 24 }, (_, index) => ({
      orderId: randomUUID(),
      lines: orderLines[index % orderLines.length] ?? [],
    }));

    const results = await Promise.allSettled([
      ...orders.map((order) => transaction(api.sql, (tx) => reserveOrBackorder(tx, order))),
      ...Array.from({ length: 6 }, (_, index) =>
        receive(index % 2 === 0 ? 'SKU-RACE-A' : 'SKU-RACE-B', { quantity: 2 }).then(
          (response) => response.status,
        ),
      ),
      ...orders
        .filter((_, index) => index % 4 === 0)
        .map((order) => transaction(api.sql, (tx) => releaseOrder(tx, order.orderId))),
    ]);

    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const statuses = results.flatMap((result) =>
      result.status === 'fulfilled' && typeof result.value === 'number' ? [result.value] : [],
    );
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202]);
    const waitingButFillable = await api.sql`
      select b.order_id from inventory_backorders b
      where b.status = 'OPEN' and not exists (
        select 1 from inventory_backorder_lines l
        left join inventory_items i on i.sku = l.sku
        where l.backorder_id = b.id and coalesce(i.on_hand - i.reserved, 0) < l.quantity)`;
    expect(waitingButFillable).toEqual([]);
  });
});
