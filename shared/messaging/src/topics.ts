import kafkajs, { type Admin } from 'kafkajs';
import { DEAD_LETTER_RETENTION_MS } from '@atlas/catalog';
import { DLQ_TOPICS, EVENT_TOPICS } from '@atlas/events';

/** Partitions per event topic: records are keyed by order id, so an order's events stay in one. */
export const EVENT_TOPIC_PARTITIONS = 3;

/** What a dead-letter topic keeps: its records for DEAD_LETTER_RETENTION_DAYS, not the broker's default day. */
export const DEAD_LETTER_TOPIC_CONFIG = { 'retention.ms': String(DEAD_LETTER_RETENTION_MS) };

/**
 * Creates the missing event and dead-letter topics (the broker does not auto-create), and gives
 * every dead-letter topic, new or old, its long retention. Returns the topics it created.
 */
export async function ensureTopics(
  admin: Admin,
  partitions = EVENT_TOPIC_PARTITIONS,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const configEntries = Object.entries(DEAD_LETTER_TOPIC_CONFIG).map(([name, value]) => ({
    name,
    value,
  }));
  const wanted = [
    ...Object.values(EVENT_TOPICS).map((topic) => ({ topic, numPartitions: partitions })),
    ...Object.values(DLQ_TOPICS).map((topic) => ({ topic, numPartitions: 1, configEntries })),
  ].filter(({ topic }) => !existing.has(topic));
  if (wanted.length > 0) {
    await admin.createTopics({
      topics: wanted.map((t) => ({ ...t, replicationFactor: 1 })),
      waitForLeaders: true,
    });
  }
  // Topics created before the retention was set (or by hand) converge to it.
  await admin.alterConfigs({
    validateOnly: false,
    resources: Object.values(DLQ_TOPICS).map((name) => ({
      type: kafkajs.ConfigResourceTypes.TOPIC,
      name,
      configEntries,
    })),
  });
  return wanted.map(({ topic }) => topic);
}
