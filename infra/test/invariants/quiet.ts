import { setTimeout as sleep } from 'node:timers/promises';
import { textArray, type ServiceDatabases } from './databases.ts';
import type { InvariantScope } from './snapshot.ts';
import { SETTLED_STATUSES } from './rules.ts';

export interface QuietOptions extends InvariantScope {
  /** How long nothing may change before the system counts as quiet. */
  readonly quietMs?: number;
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

export interface Quietness {
  readonly quiet: boolean;
  /** Why it was not quiet when the time ran out. */
  readonly reason?: string;
}

interface Observation {
  readonly busy?: string;
  readonly fingerprint: string;
}

async function observeScoped(databases: ServiceDatabases, ids: string[]): Promise<Observation> {
  const { order, inventory, billing, workflow, reporting } = databases;
  const outboxes = await Promise.all(
    [order, inventory, billing, workflow].map(
      async (sql) =>
        (
          await sql<{ n: number }[]>`
            select count(*)::int as n from atlas_outbox
            where aggregate_id = any(${textArray(sql, ids)})`
        )[0]?.n ?? 0,
    ),
  );
  const orders = await order<{ id: string; status: string; updated: string }[]>`
    select id::text as id, status, updated_at::text as updated from orders
    where id::text = any(${textArray(order, ids)}) order by id`;
  const reported = await reporting<{ id: string; status: string; events: number }[]>`
    select o.order_id as id, o.status,
           (select count(*)::int from report_events e where e.order_id = o.order_id) as events
    from report_orders o where o.order_id = any(${textArray(reporting, ids)})`;
  const counts = await Promise.all([
    inventory`select count(*) filter (where status = 'RESERVED')::int as live, count(*)::int as n
              from inventory_reservations where order_id = any(${textArray(inventory, ids)})`,
    billing`select string_agg(status, ',' order by order_id) as s from invoices
            where order_id = any(${textArray(billing, ids)})`,
    billing`select count(*)::int as n from ledger_entries
            where order_id = any(${textArray(billing, ids)})`,
    workflow`select string_agg(status, ',' order by order_id) as s from approvals
             where order_id = any(${textArray(workflow, ids)})`,
  ]);
  const reportStatus = new Map(reported.map((row) => [row.id, row.status]));
  const unsettled = orders.filter((row) => !SETTLED_STATUSES.includes(row.status));
  const lagging = orders.filter((row) => reportStatus.get(row.id) !== row.status);
  const pending = outboxes.reduce((sum, n) => sum + n, 0);
  const busy =
    orders.length < ids.length
      ? `${ids.length - orders.length} order(s) unknown to the order service`
      : unsettled.length > 0
        ? `${unsettled.map((row) => `${row.id} ${row.status}`).join(', ')} not settled`
        : pending > 0
          ? `${pending} event(s) of these orders wait in an outbox`
          : lagging.length > 0
            ? `reporting has not caught up with ${lagging.map((row) => row.id).join(', ')}`
            : undefined;
  return {
    ...(busy ? { busy } : {}),
    fingerprint: JSON.stringify([orders, reported, counts]),
  };
}

async function observeEverything(databases: ServiceDatabases): Promise<Observation> {
  const perService = await Promise.all(
    Object.entries(databases).map(async ([service, sql]) => {
      const [row] = await sql<{ outbox: number; inbox: number }[]>`
        select (select count(*)::int from atlas_outbox) as outbox,
               (select count(*)::int from atlas_inbox) as inbox`;
      return { service, outbox: row?.outbox ?? 0, inbox: row?.inbox ?? 0 };
    }),
  );
  const [orders] = await databases.order<{ n: number; latest: string | null }[]>`
    select count(*)::int as n, max(updated_at)::text as latest from orders`;
  const pending = perService.filter((row) => row.outbox > 0);
  return {
    ...(pending.length > 0
      ? { busy: `outboxes not empty: ${pending.map((r) => `${r.service} ${r.outbox}`).join(', ')}` }
      : {}),
    fingerprint: JSON.stringify([perService, orders]),
  };
}

/**
 * Waits until the system is quiet: no event of the scoped orders (or none at all, unscoped) waits
 * in an outbox, the scoped orders rest in a settled status, reporting shows the same status, and
 * nothing observed changed for `quietMs`. Scoping matters while other tests place orders.
 */
export async function waitUntilQuiet(
  databases: ServiceDatabases,
  { orderIds, quietMs = 1_000, timeoutMs = 60_000, pollMs = 200 }: QuietOptions = {},
): Promise<Quietness> {
  const deadline = Date.now() + timeoutMs;
  const observe = () =>
    orderIds ? observeScoped(databases, [...orderIds]) : observeEverything(databases);
  let stableSince = Date.now();
  let last = await observe();
  while (Date.now() < deadline) {
    await sleep(pollMs);
    const next = await observe();
    if (next.busy !== undefined || next.fingerprint !== last.fingerprint) stableSince = Date.now();
    else if (Date.now() - stableSince >= quietMs) return { quiet: true };
    last = next;
  }
  return { quiet: false, reason: last.busy ?? 'state kept changing' };
}
