import { Partitioners, logLevel, type Consumer } from 'kafkajs';
import { createKafka } from '@atlas/messaging/kafka';
import { DELIVERY_POLICY } from '@atlas/catalog';
import type { Logger, Registry } from '@atlas/observability';
import { sinkUrl, type Env } from './config.ts';
import { createChaos, type Chaos } from './chaos.ts';
import { deadLetterTopic } from './dead-letter.ts';
import { handleRecord, type SourceContext } from './dispatch.ts';
import { createUpstreamClient, type UpstreamCall } from '@atlas/http/upstream';
import { kafkaLogCreator } from './kafka-log.ts';
import { consumerLag, type PartitionLag } from './lag.ts';
import { deliveryMetrics } from './metrics.ts';
import { commitOffsetsPeriodically, type OffsetCommits } from './offset-commits.ts';

/** What a source needs of a catalog entry; a `CatalogEntry` from `kafkaSources()` fits. */
export interface KafkaSourceDefinition {
  readonly name: string;
  readonly port: number;
  readonly trigger: {
    readonly kind: 'kafka';
    readonly topics: readonly string[];
    readonly eventTypes: readonly string[];
  };
}

export interface KafkaSourcesOptions {
  readonly sources: readonly KafkaSourceDefinition[];
  readonly brokers: readonly string[];
  readonly logger: Logger;
  readonly registry: Registry;
  /** Base of the equal-jitter exponential backoff. Default DELIVERY_POLICY's (8 s). */
  readonly backoffMs?: number;
  /** Retries after the first attempt. Default 5. */
  readonly retries?: number;
  /** Time one HTTP attempt may take. Default 30 s. */
  readonly timeoutMs?: number;
  /** Partitions of one source handled at once; order within a partition holds regardless. */
  readonly partitionsConsumedConcurrently?: number;
  /** How a delivery is POSTed; tests script answers with it. Default: kept-alive node:http. */
  readonly post?: UpstreamCall;
  /** Where `ATLAS_FUNCTION_URL_<NAME>` overrides are read. Default `process.env`. */
  readonly env?: Env;
  /** Delivery faults a drill arms (chaos.ts). Default: one that is never armed. */
  readonly chaos?: Chaos;
}

export interface SourceHealth {
  readonly name: string;
  readonly topics: readonly string[];
  readonly groupId: string;
  /** False once kafkajs crashed the consumer without restarting it. */
  readonly running: boolean;
  /** True once the consumer first joined its group: from then on it is being assigned records. */
  readonly joined: boolean;
}

export interface KafkaSources {
  readonly health: () => readonly SourceHealth[];
  /** Every source group's lag per partition, read from the broker now. */
  readonly lag: () => Promise<PartitionLag[]>;
  /** Stops fetching, abandons in-flight retries (left uncommitted), disconnects everything. */
  readonly stop: () => Promise<void>;
}

/** The consumer group of a source; one per function, as each KafkaSource has its own. */
export function groupIdOf(functionName: string): string {
  return `atlas-source-${functionName}`;
}

/**
 * Runs, in this process, what Knative's KafkaSource runs in the cluster: one consumer group per
 * source (`atlas-source-<function>`, from the earliest offset), each record POSTed to the
 * function as a binary-mode CloudEvent, retried with backoff, dead-lettered to
 * `atlas.<domain>.dlq.v1` when it cannot be delivered. An offset is committed only after a 2xx
 * or an acknowledged dead letter.
 *
 * @example
 * const sources = await startKafkaSources({
 *   sources: kafkaSources(loadCatalog()), brokers: loadStackConfig().kafka.brokers, logger, registry,
 * });
 * process.once('SIGTERM', () => void sources.stop());
 */
export async function startKafkaSources(options: KafkaSourcesOptions): Promise<KafkaSources> {
  const { logger } = options;
  const env = options.env ?? process.env;
  const kafka = createKafka({
    clientId: 'atlas-kafka-source',
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // The Java client's murmur2 partitioning, as Knative's dispatcher writes dead letters.
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    // Bounded on purpose: a missing DLQ topic must surface as an error (and a re-delivery), not
    // as a send that retries forever, which is what an idempotent producer does by default.
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  const admin = kafka.admin();
  const aborter = new AbortController();
  const metrics = deliveryMetrics(options.registry);
  const chaos = options.chaos ?? createChaos();
  const settings = {
    backoffMs: options.backoffMs ?? DELIVERY_POLICY.backoffDelayMs,
    retries: options.retries ?? DELIVERY_POLICY.retries,
    timeoutMs: options.timeoutMs ?? 30_000,
    post: options.post ?? createUpstreamClient(),
  };
  const consumers: {
    consumer: Consumer;
    commits: OffsetCommits;
    health: { -readonly [K in keyof SourceHealth]: SourceHealth[K] };
  }[] = [];

  const stop = async (): Promise<void> => {
    aborter.abort(new Error('the delivery process is stopping'));
    // Committed while the consumers are still members of their groups; disconnect leaves them.
    await Promise.allSettled(consumers.map(({ commits }) => commits.stop()));
    await Promise.allSettled(consumers.map(({ consumer }) => consumer.disconnect()));
    await producer.disconnect();
    await admin.disconnect();
  };

  try {
    await producer.connect();
    await admin.connect();
    for (const definition of options.sources) {
      const groupId = groupIdOf(definition.name);
      const consumer = kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        // disconnect() waits out the pending fetch; a short long-poll keeps Ctrl-C and tests quick.
        maxWaitTimeInMs: 1_000,
        // kafkajs restarts a crashed consumer on a timer, even one that crashed while stopping.
        retry: { restartOnFailure: () => Promise.resolve(!aborter.signal.aborted) },
      });
      const health = {
        name: definition.name,
        topics: definition.trigger.topics,
        groupId,
        running: true,
        joined: false,
      };
      const commits = commitOffsetsPeriodically(
        consumer,
        logger.child({ source: definition.name }),
      );
      consumers.push({ consumer, commits, health });
      consumer.on(consumer.events.GROUP_JOIN, () => {
        health.joined = true;
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        health.running = payload.restart;
        logger.error(
          { err: payload.error, source: definition.name, restart: payload.restart },
          'consumer crashed',
        );
      });
      const context: SourceContext = {
        definition,
        url: sinkUrl(definition.name, definition.port, env),
        // Derived now, so a topic outside the naming rule fails at start, not at the first failure.
        dlqOf: new Map(definition.trigger.topics.map((topic) => [topic, deadLetterTopic(topic)])),
        producer,
        metrics,
        logger: logger.child({ function: definition.name }),
        signal: aborter.signal,
        chaos,
        settings,
      };
      await consumer.connect();
      await consumer.subscribe({ topics: [...definition.trigger.topics], fromBeginning: true });
      await consumer.run({
        // Offsets of delivered records are committed once a second (offset-commits.ts) instead of
        // after every fetched batch (often one record): a crash redelivers at most that second,
        // which the inboxes absorb, and the broker is spared a commit per record per source.
        autoCommit: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
        eachMessage: async (payload) => {
          await handleRecord(context, payload);
          commits.done(payload.topic, payload.partition, payload.message.offset);
        },
      });
      logger.info(
        { source: definition.name, topics: definition.trigger.topics, groupId, sink: context.url },
        'source started',
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    health: () => consumers.map(({ health }) => ({ ...health })),
    lag: () =>
      consumerLag(
        admin,
        consumers.map(({ health }) => ({ groupId: health.groupId, topics: health.topics })),
      ),
    stop,
  };
}
