import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { serviceNames, type ServiceName } from '@atlas/config';
import { transaction, migrationSetsOf } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import type { ServiceDatabases } from './databases.ts';
import {
  backorderedOrder,
  confirmedOrder,
  insertEntry,
  recordEvent,
  refundedOrder,
} from './fixtures.ts';
import { checkInvariants, waitUntilQuiet, type Violation } from './index.ts';

// The checker against hand-made rows in five throwaway databases: a consistent set first, then
// each invariant broken on purpose, each time on fresh orders so the cases stay apart.
const options = { approvalThresholdCents: 1_000_000n };
const throwaway: Partial<Record<ServiceName, TestDatabase>> = {};
let dbs: ServiceDatabases;

const check = (orderIds: string[]) => checkInvariants(dbs, { orderIds }, options);
const rules = (violations: Violation[]) => [...new Set(violations.map((v) => v.rule))].sort();

describe('the invariant checker', () => {
  beforeAll(async () => {
    for (const service of serviceNames)
      throwaway[service] = await createTestDatabase(migrationSetsOf(service));
    dbs = Object.fromEntries(
      serviceNames.map((service) => [service, throwaway[service]?.sql]),
    ) as unknown as ServiceDatabases;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(Object.values(throwaway).map((database) => database.drop()));
  });

  it('finds nothing wrong with a confirmed, a refunded and a backordered order', async () => {
    const orders = [
      await confirmedOrder(dbs),
      await refundedOrder(dbs),
      await backorderedOrder(dbs),
    ];
    expect(await check(orders.map((order) => order.orderId))).toEqual([]);
    expect(await checkInvariants(dbs, {}, options)).toEqual([]);
  });

  it('reports an order still in flight, and a scoped order nobody knows', async () => {
    const { orderId } = await confirmedOrder(dbs);
    await dbs.order`update orders set status = 'INVOICED' where id = ${orderId}`;
    await dbs.reporting`update report_orders set status = 'INVOICED' where order_id = ${orderId}`;
    const unknown = randomUUID();
    const violations = await check([orderId, unknown]);
    expect(violations).toEqual(
      expect.arrayContaining([
        { rule: 'order-settled', message: `order ${unknown} is unknown to the order service` },
        expect.objectContaining({
          message: expect.stringContaining(`${orderId} is still INVOICED`),
        }),
      ]),
    );
  });

  it('reports reserved stock that its live reservations do not account for', async () => {
    const { orderId, sku } = await confirmedOrder(dbs);
    await dbs.inventory`update inventory_items set reserved = reserved + 1 where sku = ${sku}`;
    expect(await check([orderId])).toEqual([
      {
        rule: 'stock-reserved',
        message: `item ${sku} has reserved 3 but its live reservations hold 2`,
      },
    ]);
  });

  it('reports a cancelled order that still holds stock', async () => {
    const { orderId, sku } = await refundedOrder(dbs);
    await dbs.inventory`update inventory_reservations set status = 'RESERVED', released_at = null
                        where order_id = ${orderId}`;
    await dbs.inventory`update inventory_items set reserved = 1 where sku = ${sku}`;
    const violations = await check([orderId]);
    expect(rules(violations)).toEqual(['release-once', 'status-agrees']);
    expect(violations).toContainEqual({
      rule: 'release-once',
      message: `cancelled order ${orderId} still holds 1 × ${sku}`,
    });
  });

  it('reports stock released twice', async () => {
    const { orderId, sku } = await refundedOrder(dbs);
    await recordEvent(dbs.reporting, orderId, 'InventoryReleased', {
      lines: [{ sku, quantity: 1 }],
    });
    const violations = await check([orderId]);
    expect(violations).toEqual([
      {
        rule: 'release-once',
        message: `order ${orderId} (CANCELLED) had 2 × ${sku} released by InventoryReleased events, expected 1`,
      },
      { rule: 'effect-once', message: `order ${orderId} has 2 × InventoryReleased` },
    ]);
  });

  it('reports a ledger entry whose debits differ from its credits', async () => {
    const { orderId, invoiceId } = await confirmedOrder(dbs);
    // The billing schema refuses this at commit; only a replica-role session gets it in.
    await transaction(dbs.billing, async (tx) => {
      await tx`set local session_replication_role = replica`;
      await insertEntry(tx, orderId, invoiceId, 'VOID', [['revenue', 100, 0]]);
    });
    const violations = await check([orderId]);
    expect(violations.filter((v) => v.rule === 'ledger-balanced')).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(
          /\(VOID, order .*\) has 1 lines, debits 1\.00 ≠ credits 0\.00/,
        ),
      }),
      {
        rule: 'ledger-balanced',
        message: 'the accounts sum to 1.00 (debits − credits) over all entries, not 0',
      },
    ]);
  });

  it('reports a second payment and an event applied twice', async () => {
    await dbs.billing`alter table payments drop constraint if exists payments_order_id_key`;
    await dbs.billing`alter table payments drop constraint if exists payments_invoice_id_key`;
    await dbs.order`alter table atlas_inbox drop constraint if exists atlas_inbox_pkey`;
    const { orderId, invoiceId } = await confirmedOrder(dbs);
    await dbs.billing`
      insert into payments (payment_id, invoice_id, order_id, amount_cents, currency, callback_id)
      values (${randomUUID()}, ${invoiceId}, ${orderId}, 1999, 'EUR', ${randomUUID()})`;
    const eventId = randomUUID();
    for (let copy = 0; copy < 2; copy += 1)
      await dbs.order`insert into atlas_inbox (consumer, event_id, event_type)
                      values ('order-saga-orchestrator', ${eventId}, 'PaymentSucceeded')`;
    const violations = await check([orderId]);
    expect(violations).toEqual(
      expect.arrayContaining([
        { rule: 'at-most-once', message: `order ${orderId} has 2 payments` },
        {
          rule: 'effect-once',
          message: `order inbox holds event ${eventId} 2 times for consumer order-saga-orchestrator`,
        },
      ]),
    );
    await dbs.order`delete from atlas_inbox where event_id = ${eventId}`;
  });

  it('reports a confirmed order whose invoice is not paid and whose read model lags', async () => {
    const { orderId } = await confirmedOrder(dbs);
    await dbs.billing`update invoices set status = 'OPEN' where order_id = ${orderId}`;
    await dbs.reporting`update report_orders set status = 'PAID' where order_id = ${orderId}`;
    expect(await check([orderId])).toEqual([
      {
        rule: 'status-agrees',
        message: `order ${orderId} is CONFIRMED but the reporting read model says PAID`,
      },
      {
        rule: 'status-agrees',
        message: `order ${orderId} is CONFIRMED but its invoice is OPEN, not PAID`,
      },
    ]);
  });

  it('reports a confirmed order above the threshold without a granted approval', async () => {
    const { orderId } = await confirmedOrder(dbs, 2_000_000);
    expect(await check([orderId])).toEqual([
      {
        rule: 'status-agrees',
        message: `order ${orderId} is CONFIRMED but its total reaches the approval threshold yet its approval is missing`,
      },
    ]);
  });

  describe('waiting until quiet', () => {
    it('answers quiet once the scoped orders are settled and nothing changes', async () => {
      const { orderId } = await confirmedOrder(dbs);
      expect(await waitUntilQuiet(dbs, { orderIds: [orderId], quietMs: 300 })).toEqual({
        quiet: true,
      });
    });

    it('gives up, saying why, while an order is in flight', async () => {
      const { orderId } = await confirmedOrder(dbs);
      await dbs.order`update orders set status = 'PAID' where id = ${orderId}`;
      expect(
        await waitUntilQuiet(dbs, { orderIds: [orderId], quietMs: 300, timeoutMs: 1_000 }),
      ).toEqual({ quiet: false, reason: `${orderId} PAID not settled` });
    });

    it('gives up while an event of the order waits in an outbox', async () => {
      const { orderId } = await confirmedOrder(dbs);
      await dbs.billing`
        insert into atlas_outbox (event_id, event_type, topic, aggregate_id, event)
        values (${randomUUID()}, 'PaymentSucceeded', 'atlas.billing.events.v1', ${orderId}, '{}')`;
      const quietness = await waitUntilQuiet(dbs, {
        orderIds: [orderId],
        quietMs: 300,
        timeoutMs: 1_000,
      });
      expect(quietness).toEqual({
        quiet: false,
        reason: '1 event(s) of these orders wait in an outbox',
      });
      expect(await waitUntilQuiet(dbs, { quietMs: 300, timeoutMs: 1_000 })).toEqual({
        quiet: false,
        reason: 'outboxes not empty: billing 1',
      });
      await dbs.billing`delete from atlas_outbox where aggregate_id = ${orderId}`;
    });
  });
});
