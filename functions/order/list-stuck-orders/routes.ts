import definition from './function.json' with { type: 'json' };
import type { Sql } from '@atlas/db';
import { declaredRoute, json, type HttpRouteDependencies, type Route } from '@atlas/http';
import {
  listDeadLetterRecords,
  toDeadLetter,
  type DeadLetter,
  type DeadLetterSource,
  type RedrivenLedger,
} from '@atlas/messaging/dead-letters';
import { gauge } from '@atlas/observability';
import {
  STUCK_AFTER_SECONDS,
  countUnsettled,
  findStuckOrders,
  stuckOrdersQuerySchema,
  waitingOn,
} from '@atlas/order-domain';

const GAUGE_REFRESH_MS = 30_000;

export interface StuckOrdersOptions {
  readonly source: DeadLetterSource;
  readonly ledger: RedrivenLedger;
}

/** Dead letters by the order they are about (the record key), leaving out those already redriven. */
async function deadLettersByOrder(
  options: StuckOrdersOptions,
  orderIds: ReadonlySet<string>,
): Promise<Map<string, DeadLetter[]>> {
  const byOrder = new Map<string, DeadLetter[]>();
  if (orderIds.size === 0) return byOrder;
  for (const record of await listDeadLetterRecords(options.source)) {
    const orderId = record.message.key?.toString('utf8');
    if (!orderId || !orderIds.has(orderId)) continue;
    byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), toDeadLetter(record)]);
  }
  const all = [...byOrder.values()].flat();
  const redriven = await options.ledger.redriven(all.map((letter) => letter.id));
  for (const [orderId, letters] of byOrder)
    byOrder.set(
      orderId,
      letters.filter((letter) => !redriven.has(letter.id)),
    );
  return byOrder;
}

/**
 * Keeps `atlas_orders_unsettled{status}` (orders unsettled for 5 minutes or more, CANCELLING for
 * those compensating) current, for the alert that sends an operator to the stuck-orders runbook.
 */
function keepUnsettledGauge(dependencies: HttpRouteDependencies, sql: Sql): void {
  const unsettled = gauge(
    dependencies.registry,
    'atlas_orders_unsettled',
    `Orders neither CONFIRMED nor CANCELLED ${STUCK_AFTER_SECONDS} s after their last step, by status`,
    ['status'],
  );
  const refresh = async (): Promise<void> => {
    const counts = await countUnsettled(sql, STUCK_AFTER_SECONDS);
    unsettled.reset();
    for (const { status, count } of counts) unsettled.set({ status }, count);
  };
  const timer = setInterval(() => {
    refresh().catch((error: unknown) => {
      dependencies.logger.warn({ err: error }, 'could not count the unsettled orders');
    });
  }, GAUGE_REFRESH_MS);
  timer.unref();
}

/**
 * `GET /v1/ops/stuck-orders`: the orders not settled `olderThanSeconds` after their last step,
 * oldest first, each with the step it waits on (and whether that wait is one the contract allows,
 * a backorder or an approval) and the dead letters of its events not yet redriven.
 */
export function listStuckOrdersRoutes(
  dependencies: HttpRouteDependencies,
  sql: Sql,
  options: StuckOrdersOptions,
): Route[] {
  keepUnsettledGauge(dependencies, sql);
  return declaredRoute(
    definition,
    {
      schemas: { query: stuckOrdersQuerySchema },
      handler: async ({ query }) => {
        const page = await findStuckOrders(sql, query);
        const letters = await deadLettersByOrder(
          options,
          new Set(page.items.map((order) => order.id)),
        );
        const now = Date.now();
        return json(200, {
          items: page.items.map((order) => ({
            orderId: order.id,
            status: order.status,
            ...(order.cancellation_reason ? { cancellationReason: order.cancellation_reason } : {}),
            updatedAt: order.updated_at.toISOString(),
            stuckForSeconds: Math.floor((now - order.updated_at.getTime()) / 1000),
            waitingOn: waitingOn(order),
            deadLetters: (letters.get(order.id) ?? []).map((letter) => ({
              id: letter.id,
              eventType: letter.eventType,
              consumer: letter.consumer,
              failedAt: letter.failedAt,
              errorCode: letter.error.code,
            })),
          })),
          page: page.page,
          pageSize: page.pageSize,
          total: page.total,
        });
      },
    },
    dependencies,
  );
}
