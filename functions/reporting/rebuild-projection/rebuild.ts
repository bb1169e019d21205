import type { Kafka } from 'kafkajs';
import type { Sql } from '@atlas/db';
import { MalformedEventError } from '@atlas/errors';
import type { EventCodec } from '@atlas/events';
import type { Logger } from '@atlas/observability';
import { rebuildProjection, type ProjectionName } from '@atlas/reporting-domain';
import { readTopicsToEnd } from '@atlas/messaging';

/** Where a rebuild reads its events from. */
export interface EventSource {
  readonly kafka: Kafka;
  readonly codec: EventCodec;
  /** The domain topics (`atlas.<domain>.events.v1`); tests give throwaway ones. */
  readonly topics: readonly string[];
  readonly timeoutMs?: number;
}

export interface RebuildResult {
  readonly projection: ProjectionName;
  readonly topics: readonly string[];
  /** Records read from the topics. */
  readonly records: number;
  /** Records that are no Atlas event (the live projector dead-lettered them too), left out. */
  readonly skipped: number;
}

/**
 * Rebuilds one read model from the topics: every record up to their current ends, decoded with
 * the registry codec and projected again in one transaction (see `rebuildProjection`).
 */
export async function rebuild(
  sql: Sql,
  name: ProjectionName,
  source: EventSource,
  logger: Logger,
): Promise<RebuildResult> {
  let skipped = 0;
  const { events } = await rebuildProjection(sql, name, (apply) =>
    readTopicsToEnd(
      source.kafka,
      source.topics,
      async ({ topic, partition, message }) => {
        if (message.value === null) return;
        try {
          await apply(await source.codec.decode(message.value));
        } catch (error) {
          if (!(error instanceof MalformedEventError)) throw error;
          skipped += 1;
          logger.warn(
            { err: error, topic, partition, offset: message.offset },
            'record is no Atlas event; left out of the rebuild',
          );
        }
      },
      {
        groupPrefix: `atlas-rebuild-${name}`,
        ...(source.timeoutMs === undefined ? {} : { timeoutMs: source.timeoutMs }),
      },
    ),
  );
  return { projection: name, topics: source.topics, records: events + skipped, skipped };
}
