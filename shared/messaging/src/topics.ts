import type { Admin } from 'kafkajs';
import { DLQ_TOPICS, EVENT_TOPICS } from '@atlas/events';

/** Partitions per event topic: records are keyed by order id, so an order's events stay in one. */
export const EVENT_TOPIC_PARTITIONS = 3;

/** Creates the missing event and dead-letter topics (the broker does not auto-create); returns those it created. */
export async function ensureTopics(
  admin: Admin,
  partitions = EVENT_TOPIC_PARTITIONS,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const wanted = [
    ...Object.values(EVENT_TOPICS).map((topic) => ({ topic, numPartitions: partitions })),
    ...Object.values(DLQ_TOPICS).map((topic) => ({ topic, numPartitions: 1 })),
  ].filter(({ topic }) => !existing.has(topic));
  if (wanted.length > 0) {
    await admin.createTopics({
      topics: wanted.map((t) => ({ ...t, replicationFactor: 1 })),
      waitForLeaders: true,
    });
  }
  return wanted.map(({ topic }) => topic);
}
