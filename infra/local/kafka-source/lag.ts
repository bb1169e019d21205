import type { Admin } from 'kafkajs';
import { gauge, type Registry } from '@atlas/observability';

/** How far one consumer group is behind on one partition. */
export interface PartitionLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  /** Records written to the partition and not yet committed by the group. */
  readonly lag: number;
}

export interface LaggingGroup {
  readonly groupId: string;
  readonly topics: readonly string[];
}

/**
 * Each group's lag per partition: the partition's end offset minus the group's committed offset
 * (a group that committed nothing yet is behind by everything the partition still holds).
 * Committed offsets trail deliveries by up to the commit interval (1 s), so a busy group shows a
 * small lag even when it keeps up.
 */
export async function consumerLag(
  admin: Admin,
  groups: readonly LaggingGroup[],
): Promise<PartitionLag[]> {
  const topics = [...new Set(groups.flatMap((group) => group.topics))];
  const ends = new Map<string, { high: number; low: number }>();
  await Promise.all(
    topics.map(async (topic) => {
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic))
        ends.set(`${topic}/${partition}`, { high: Number(high), low: Number(low) });
    }),
  );
  const rows = await Promise.all(
    groups.map(async ({ groupId, topics: groupTopics }) => {
      const committed = await admin.fetchOffsets({ groupId, topics: [...groupTopics] });
      return committed.flatMap(({ topic, partitions }) =>
        partitions.map(({ partition, offset }) => {
          const end = ends.get(`${topic}/${partition}`) ?? { high: 0, low: 0 };
          const position = Number(offset) < 0 ? end.low : Number(offset);
          return { group: groupId, topic, partition, lag: Math.max(0, end.high - position) };
        }),
      );
    }),
  );
  return rows.flat();
}

/**
 * `atlas_consumer_lag{group,topic,partition}`, read from the broker when Prometheus scrapes, so an
 * idle stack pays nothing for it. A failed read leaves the gauge empty rather than stale.
 */
export function registerLagGauge(registry: Registry, read: () => Promise<PartitionLag[]>): void {
  gauge(
    registry,
    'atlas_consumer_lag',
    "Records on a partition not yet committed by a consumer group (the KafkaSource's groups)",
    ['group', 'topic', 'partition'],
    async (lag) => {
      lag.reset();
      const rows = await read().catch(() => []);
      for (const row of rows)
        lag.set({ group: row.group, topic: row.topic, partition: String(row.partition) }, row.lag);
    },
  );
}
