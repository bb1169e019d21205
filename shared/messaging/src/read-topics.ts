import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { DependencyUnavailableError } from '@atlas/errors';

export interface TopicRecord {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

export interface ReadTopicsOptions {
  /** Consumer group prefix; a fresh group per read, deleted afterwards. */
  readonly groupPrefix: string;
  /** The read fails (503) when the topics are not read to their ends by then. Default 60 s. */
  readonly timeoutMs?: number;
}

const partitionKey = (topic: string, partition: number): string => `${topic}#${partition}`;

/** The last offset of each non-empty partition: where the topics end when the read starts. */
async function endsOf(kafka: Kafka, topics: readonly string[]): Promise<Map<string, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map<string, bigint>();
    for (const topic of topics) {
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(high) > BigInt(low)) ends.set(partitionKey(topic, partition), BigInt(high) - 1n);
      }
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads every record of `topics` from the beginning up to their high watermarks as they are when
 * called, each partition in offset order, through a throw-away consumer group that commits
 * nothing and is deleted afterwards. Records written meanwhile are not read.
 *
 * @throws whatever `onRecord` throws; DependencyUnavailableError when Kafka is not read in time.
 */
export async function readTopicsToEnd(
  kafka: Kafka,
  topics: readonly string[],
  onRecord: (record: TopicRecord) => Promise<void>,
  options: ReadTopicsOptions,
): Promise<void> {
  const ends = await endsOf(kafka, topics);
  if (ends.size === 0) return;
  const groupId = `${options.groupPrefix}-${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 500,
    // A one-shot read: a crash fails it. kafkajs would otherwise restart a crashed consumer on a
    // timer, even one that crashed because the read had ended and disconnected it mid-join, and
    // that consumer would then fetch the topics for as long as the process lives.
    retry: { restartOnFailure: () => Promise.resolve(false) },
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error === undefined) resolve();
        else reject(error instanceof Error ? error : new Error('the Kafka consumer failed'));
      };
      const timer = setTimeout(() => {
        settle(
          new DependencyUnavailableError(
            `Kafka: ${topics.join(', ')} not read to their ends within ${options.timeoutMs ?? 60_000} ms`,
          ),
        );
      }, options.timeoutMs ?? 60_000);
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        settle(payload.error);
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async (payload) => {
            const { batch } = payload;
            const key = partitionKey(batch.topic, batch.partition);
            const end = ends.get(key);
            if (settled || end === undefined) return;
            try {
              for (const message of batch.messages) {
                if (BigInt(message.offset) > end) break;
                await onRecord({ topic: batch.topic, partition: batch.partition, message });
              }
            } catch (error) {
              settle(error);
              return;
            }
            await payload.heartbeat();
            // lastOffset() counts records the client filters (control records), so an end that is
            // one of those is still reached.
            if (BigInt(batch.lastOffset()) >= end) ends.delete(key);
            if (ends.size === 0) settle();
          },
        })
        .catch((error: unknown) => {
          settle(error);
        });
    });
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    // A group that never committed may already be gone; either way nothing is left behind.
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
