import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from 'kafkajs';
import type { Sql } from '@atlas/db';
import type { AnyAtlasEvent, EventCodec } from '@atlas/events';
import { counter, gauge, histogram, type Logger, type Registry } from '@atlas/observability';
import { cloudEventKafkaHeaders } from './cloud-event-headers.ts';

export interface OutboxRelayOptions {
  /** The service whose outbox this drains; names the leader lock and the metrics. */
  readonly service: string;
  readonly sql: Sql;
  /** A connected kafkajs producer created with `idempotent: true`. */
  readonly producer: Producer;
  readonly codec: EventCodec;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly batchSize?: number;
  /** Fallback when a NOTIFY is missed (connection blip); also the stand-by's leadership retry. */
  readonly pollIntervalMs?: number;
  /** Where a row's topic is really published; tests point it at throwaway topics. */
  readonly topicMap?: (topic: string) => string;
}

export interface OutboxRelay {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly isLeader: () => boolean;
}

interface OutboxRow {
  id: string;
  topic: string;
  aggregate_id: string;
  event: AnyAtlasEvent;
  created_at: Date;
}

/** Same key in every replica of one service's relay, different per service (they share a server). */
function leaderLockKey(service: string): number {
  let hash = 0x61746c73;
  for (const char of service) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

/**
 * Drains the service's outbox into Kafka. One replica leads (a session advisory lock on a reserved
 * connection) and the others stand by, so two replicas never publish the same row and per-aggregate
 * order is simply the outbox's id order. If the leader dies, its session ends, the lock frees and
 * a stand-by takes over; rows it had published but not yet deleted are published again, which the
 * consumers' inboxes absorb (at-least-once by design).
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const labels = { service: options.service };
  const backlog = gauge(options.registry, 'atlas_outbox_backlog', 'Outbox rows not yet published', [
    'service',
  ]);
  const published = counter(
    options.registry,
    'atlas_outbox_published_total',
    'Events published from the outbox',
    ['service'],
  );
  const latency = histogram(
    options.registry,
    'atlas_outbox_publish_latency_seconds',
    'From outbox insert to broker acknowledgement',
    ['service'],
  );
  const leading = gauge(
    options.registry,
    'atlas_outbox_relay_leader',
    '1 while this replica leads the relay',
    ['service'],
  );

  let running = false;
  let leader: Awaited<ReturnType<Sql['reserve']>> | undefined;
  let wake: (() => void) | undefined;
  // Set by a NOTIFY that arrives while a batch is being drained, so it is not slept through.
  let signalled = false;
  let loop: Promise<void> | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  async function tryLead(): Promise<void> {
    const connection = await options.sql.reserve();
    const [row] = await connection<
      { locked: boolean }[]
    >`select pg_try_advisory_lock(${leaderLockKey(options.service)}) as locked`;
    if (row?.locked) {
      leader = connection;
      leading.set(labels, 1);
      options.logger.info({ outcome: 'leading' }, 'outbox relay leads');
    } else {
      connection.release();
    }
  }

  async function loseLeadership(): Promise<void> {
    const connection = leader;
    leader = undefined;
    leading.set(labels, 0);
    if (!connection) return;
    await connection`select pg_advisory_unlock_all()`.catch(() => undefined);
    connection.release();
  }

  /** Publishes up to one batch; returns how many rows it published. */
  async function drainBatch(connection: NonNullable<typeof leader>): Promise<number> {
    await connection`begin`;
    try {
      const rows = await connection<OutboxRow[]>`
        select id, topic, aggregate_id, event, created_at from atlas_outbox order by id limit ${batchSize}`;
      if (rows.length === 0) {
        await connection`commit`;
        return 0;
      }
      const topicMessages = new Map<
        string,
        { key: string; value: Buffer; headers: Record<string, string> }[]
      >();
      for (const row of rows) {
        const topic = options.topicMap ? options.topicMap(row.topic) : row.topic;
        const messages = topicMessages.get(topic) ?? [];
        messages.push({
          key: row.aggregate_id,
          value: await options.codec.encode(row.event),
          headers: cloudEventKafkaHeaders(row.event),
        });
        topicMessages.set(topic, messages);
      }
      await options.producer.sendBatch({
        acks: -1,
        topicMessages: [...topicMessages].map(([topic, messages]) => ({ topic, messages })),
      });
      const ackedAt = Date.now();
      await connection`delete from atlas_outbox where id = any(${rows.map((row) => row.id)}::bigint[])`;
      await connection`commit`;
      published.inc(labels, rows.length);
      for (const row of rows)
        latency.observe(labels, Math.max(0, ackedAt - row.created_at.getTime()) / 1000);
      return rows.length;
    } catch (error) {
      await connection`rollback`.catch(() => undefined);
      throw error;
    }
  }

  async function refreshBacklog(): Promise<void> {
    const [row] = await options.sql<
      { count: number }[]
    >`select count(*)::int as count from atlas_outbox`;
    backlog.set(labels, row?.count ?? 0);
  }

  async function run(): Promise<void> {
    while (running) {
      signalled = false;
      try {
        if (!leader) await tryLead();
        const connection = leader;
        // A full batch means more may be waiting; stop() ends the drain between batches.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
        while (connection && running && (await drainBatch(connection)) === batchSize);
        await refreshBacklog();
      } catch (error) {
        options.logger.error(
          { err: error, outcome: 'failed' },
          'outbox relay batch failed; retrying',
        );
        // A broken connection may have lost the lock already; start the election again.
        await loseLeadership();
        await sleep(pollIntervalMs);
      }
      // Both flags change under us: stop() and the LISTEN callback run while we await.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      if (!running) break;
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      if (signalled) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    isLeader: () => leader !== undefined,
    async start() {
      if (running) return;
      running = true;
      const subscription = await options.sql.listen('atlas_outbox', () => {
        signalled = true;
        wake?.();
      });
      unlisten = () => subscription.unlisten();
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      await unlisten?.();
      await loseLeadership();
    },
  };
}
