import type { Consumer } from 'kafkajs';
import type { Logger } from '@atlas/observability';

/** How often a source commits the offsets it delivered; a crash redelivers at most this much. */
export const COMMIT_INTERVAL_MS = 1_000;

export interface OffsetCommits {
  /** Marks a record done (delivered or dead-lettered): its partition may be committed past it. */
  readonly done: (topic: string, partition: number, offset: string) => void;
  /** Commits every partition that moved since the last commit; never throws. */
  readonly flush: () => Promise<void>;
  /** Stops the timer and commits what is pending. */
  readonly stop: () => Promise<void>;
}

interface Position {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read: the one after the last record done. */
  readonly offset: string;
}

/**
 * Commits a source's offsets on a timer instead of after every fetched batch. kafkajs, with its
 * auto-commit on, sends an OffsetCommit after each batch whatever `autoCommitInterval` says, and
 * under a steady trickle a batch is one record: one commit per delivery per source, each a write to
 * `__consumer_offsets` that cost the broker's group coordinator a third of its CPU under load.
 * A record is marked only once its handler resolved, and a partition's records are handled in
 * order, so the committed offset never passes a record that is not done.
 */
export function commitOffsetsPeriodically(
  consumer: Pick<Consumer, 'commitOffsets'>,
  logger: Logger,
  intervalMs: number = COMMIT_INTERVAL_MS,
): OffsetCommits {
  let pending = new Map<string, Position>();
  let inFlight: Promise<void> = Promise.resolve();

  const commit = async (): Promise<void> => {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    try {
      await consumer.commitOffsets([...batch.values()]);
    } catch (error) {
      // A rebalance or a broker away: keep what was not superseded meanwhile, and try again at
      // the next tick. Until then a restart would redeliver those records, which the inboxes absorb.
      for (const [key, position] of batch) if (!pending.has(key)) pending.set(key, position);
      logger.warn({ err: error, partitions: batch.size }, 'offset commit failed; will retry');
    }
  };
  // One commit at a time, so an older position never lands after a newer one.
  const flush = (): Promise<void> => (inFlight = inFlight.then(commit));
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();

  return {
    done: (topic, partition, offset) => {
      pending.set(`${topic}/${partition}`, {
        topic,
        partition,
        offset: (BigInt(offset) + 1n).toString(),
      });
    },
    flush,
    stop: () => {
      clearInterval(timer);
      return flush();
    },
  };
}
