import { z } from 'zod';
import type { TimelineStepRow } from '@atlas/reporting-domain';

export const timelineParamsSchema = z.strictObject({
  orderId: z.string().min(1).max(200),
});

/** One step of an order's saga as the timeline shows it (contract §3). */
export interface TimelineItem {
  readonly eventId: string;
  readonly eventType: string;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly producer: string;
}

export function toTimelineItem(row: TimelineStepRow): TimelineItem {
  return {
    eventId: row.event_id,
    eventType: row.event_type,
    occurredAt: row.occurred_at.toISOString(),
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    producer: row.producer,
  };
}
