import { transaction, type Sql, type TransactionSql } from '@atlas/db';
import type { AnyAtlasEvent } from '@atlas/events';
import { applyToOrders, recordInTimeline } from './order-store.ts';

/** The read models that can be rebuilt from the topics, by the name the ops route takes. */
export const PROJECTION_NAMES = ['orders', 'timeline'] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

export function isProjectionName(value: string): value is ProjectionName {
  return (PROJECTION_NAMES as readonly string[]).includes(value);
}

const APPLY: Record<ProjectionName, (tx: TransactionSql, event: AnyAtlasEvent) => Promise<void>> = {
  orders: applyToOrders,
  timeline: async (tx, event) => {
    await recordInTimeline(tx, event);
  },
};

/** Feeds every event of the topics, up to where they ended when it was called, to `apply`. */
export type EventReplay = (apply: (event: AnyAtlasEvent) => Promise<void>) => Promise<void>;

/**
 * Empties one read model and projects every event of `replay` into it again, in one transaction.
 *
 * Both read-model tables are locked (EXCLUSIVE: readers go on seeing the old rows) before the
 * replay looks at the topics, so every event the live projector applied before is in the replay,
 * and every event after waits for the commit and is then applied on top (a duplicate is a no-op).
 */
export async function rebuildProjection(
  sql: Sql,
  name: ProjectionName,
  replay: EventReplay,
): Promise<{ readonly events: number }> {
  return transaction(sql, async (tx) => {
    await tx`lock table report_events, report_orders in exclusive mode`;
    if (name === 'orders') await tx`delete from report_orders`;
    else await tx`delete from report_events`;
    let events = 0;
    await replay(async (event) => {
      events += 1;
      await APPLY[name](tx, event);
    });
    return { events };
  });
}
