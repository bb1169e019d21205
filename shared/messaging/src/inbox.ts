import { stage, type Sql, type TransactionSql } from '@atlas/db';
import type { AtlasEvent } from '@atlas/events';

/**
 * Records that `consumer` applies `event`, in the transaction of the effect. The insert is staged
 * (it travels with the COMMIT): on a redelivery the primary key (consumer, event_id) fails it and
 * the whole transaction with it, so an effect is never applied twice; {@link appliedBefore} then
 * tells the redelivery from a real failure.
 */
export function recordInInbox(
  tx: TransactionSql,
  consumer: string,
  event: AtlasEvent,
): Promise<void> {
  return stage(
    tx,
    tx`
    insert into atlas_inbox (consumer, event_id, event_type)
    values (${consumer}, ${event.eventId}, ${event.eventType})`,
  );
}

/** Whether `consumer` already applied the event: a failed delivery of it is then a redelivery. */
export async function appliedBefore(sql: Sql, consumer: string, eventId: string): Promise<boolean> {
  const rows = await sql`
    select 1 from atlas_inbox where consumer = ${consumer} and event_id = ${eventId}`;
  return rows.length === 1;
}
