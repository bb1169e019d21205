import type { TransactionSql } from '@atlas/db';
import type { AtlasEvent } from '@atlas/events';

/**
 * Records that `consumer` applies `event`, in the transaction of the effect. Returns false when it
 * was applied before (a redelivery): the caller then skips the effect and acknowledges.
 */
export async function recordInInbox(
  tx: TransactionSql,
  consumer: string,
  event: AtlasEvent,
): Promise<boolean> {
  const inserted = await tx`
    insert into atlas_inbox (consumer, event_id, event_type)
    values (${consumer}, ${event.eventId}, ${event.eventType})
    on conflict do nothing
    returning event_id`;
  return inserted.length === 1;
}
