import { transaction, type Sql, type TransactionSql } from '@atlas/db';
import { ConflictError } from '@atlas/errors';
import type { AnyAtlasEvent } from '@atlas/events';
import {
  ORDERS_TABLE,
  TIMELINE_TABLE,
  applyToOrders,
  eventOfTimelineRow,
  recordInTimeline,
  type TimelineRow,
} from './order-store.ts';

/** The read models that can be rebuilt from the topics, by the name the ops route takes. */
export const PROJECTION_NAMES = ['orders', 'timeline'] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

export function isProjectionName(value: string): value is ProjectionName {
  return (PROJECTION_NAMES as readonly string[]).includes(value);
}

type Apply = (tx: TransactionSql, event: AnyAtlasEvent, table: string) => Promise<void>;

const PROJECTIONS: Record<ProjectionName, { readonly table: string; readonly apply: Apply }> = {
  orders: { table: ORDERS_TABLE, apply: applyToOrders },
  timeline: {
    table: TIMELINE_TABLE,
    apply: async (tx, event, table) => {
      await recordInTimeline(tx, event, table);
    },
  },
};

/** Feeds every event of the topics, up to where they ended when it was called, to `apply`. */
export type EventReplay = (apply: (event: AnyAtlasEvent) => Promise<void>) => Promise<void>;

/**
 * Rebuilds one read model without stalling the live one (hardening review, item 10):
 *
 * 1. notes how far the live timeline has come (its last `seq`);
 * 2. projects every event of `replay` into a shadow table (`<table>_rebuild`, same columns,
 *    indexes and constraints), outside any lock on the live tables: readers and the live
 *    projector go on;
 * 3. in one short transaction: locks the live tables against writes (EXCLUSIVE: readers still
 *    read), applies to the shadow what the live projector recorded since step 1 (it writes the
 *    timeline in the transaction of every projection, and every such event was on the topics, so
 *    nothing is missed or, the projections being idempotent, applied wrongly twice), and swaps
 *    the shadow in by renaming. The live projector then goes on writing into the new table.
 */
export async function rebuildProjection(
  sql: Sql,
  name: ProjectionName,
  replay: EventReplay,
): Promise<{ readonly events: number }> {
  // One rebuild at a time: a second would drop the first one's shadow. Held by a session of its
  // own for the whole rebuild, and freed with it whatever happens.
  const guard = await sql.reserve();
  try {
    const [claim] = await guard<{ ok: boolean }[]>`
      select pg_try_advisory_lock(${REBUILD_LOCK}, hashtext(${name})) as ok`;
    if (!claim?.ok) throw new ConflictError(`The ${name} projection is being rebuilt already.`);
    try {
      return await rebuildIntoShadow(sql, name, replay);
    } finally {
      await guard`select pg_advisory_unlock(${REBUILD_LOCK}, hashtext(${name}))`;
    }
  } finally {
    guard.release();
  }
}

/** The lock namespace of rebuilds (apart from the projector's per-order locks). */
const REBUILD_LOCK = 4151;

async function rebuildIntoShadow(
  sql: Sql,
  name: ProjectionName,
  replay: EventReplay,
): Promise<{ readonly events: number }> {
  const { table, apply } = PROJECTIONS[name];
  const shadow = `${table}_rebuild`;
  const retired = `${table}_retired`;
  const [mark] = await sql<{ seq: string }[]>`
    select coalesce(max(seq), 0)::text as seq from ${sql(TIMELINE_TABLE)}`;
  await sql`drop table if exists ${sql(shadow)}`;
  await sql`create table ${sql(shadow)} (like ${sql(table)} including all)`;
  let events = 0;
  try {
    await transaction(sql, (tx) =>
      replay(async (event) => {
        events += 1;
        await apply(tx, event, shadow);
      }),
    );
    await transaction(sql, async (tx) => {
      await tx`lock table ${tx(TIMELINE_TABLE)}, ${tx(ORDERS_TABLE)} in exclusive mode`;
      const recent = await tx<TimelineRow[]>`
        select * from ${tx(TIMELINE_TABLE)} where seq > ${mark?.seq ?? '0'} order by seq`;
      for (const row of recent) await apply(tx, eventOfTimelineRow(row), shadow);
      await tx`alter table ${tx(table)} rename to ${tx(retired)}`;
      await tx`alter table ${tx(shadow)} rename to ${tx(table)}`;
      await tx`drop table ${tx(retired)}`;
    });
  } catch (error) {
    await sql`drop table if exists ${sql(shadow)}`.catch(() => undefined);
    throw error;
  }
  return { events };
}
