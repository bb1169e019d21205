import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from 'kafkajs';
import type { Sql } from '@atlas/db';
import type { AnyAtlasEvent, EventCodec, EventType } from '@atlas/events';
import {
  SpanKind,
  SpanStatusCode,
  counter,
  gauge,
  histogram,
  openSpan,
  type Logger,
  type Registry,
  type Span,
} from '@atlas/observability';
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
  /** Rows deleted between two VACUUMs of the outbox. Default 1 000. */
  readonly vacuumEveryRows?: number;
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
  created_at: Date;
  /** Null for rows staged before the column existed; then `event` is read instead. */
  avro: Buffer | null;
  /** The staging span's context; null when tracing was off (ADR-0039). */
  traceparent: string | null;
  event: AnyAtlasEvent | null;
  header: {
    eventId: string;
    eventType: EventType;
    producer: string;
    occurredAt: string;
    correlationId: string;
    causationId: string;
  };
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
  const vacuumEveryRows = options.vacuumEveryRows ?? 1_000;
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
  // Rows deleted since the outbox was last vacuumed (vacuumIfDue).
  let deletedSinceVacuum = 0;
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
      // Losing a delete to a crash only republishes its batch, which the inboxes absorb, so the
      // leader's statements need not wait for the WAL flush.
      await connection`set synchronous_commit = off`;
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

  type Batch = {
    rows: OutboxRow[];
    /** One publish span per traced row, ended at the broker's acknowledgement. */
    spans: Span[];
    topicMessages: {
      topic: string;
      messages: { key: string; value: Buffer; headers: Record<string, string> }[];
    }[];
  };

  async function readBatch(
    connection: NonNullable<typeof leader>,
    afterId: string,
  ): Promise<Batch> {
    // The header fields come out of the jsonb in PostgreSQL, so Node parses no event it only frames.
    const rows = await connection<OutboxRow[]>`
      select id, topic, aggregate_id, created_at, avro, traceparent,
        case when avro is null then event end as event,
        jsonb_build_object(
          'eventId', event->'eventId', 'eventType', event->'eventType',
          'producer', event->'producer', 'occurredAt', event->'occurredAt',
          'correlationId', event->'correlationId', 'causationId', event->'causationId'
        ) as header
      from atlas_outbox
      where id > ${afterId} order by id limit ${batchSize}`;
    const byTopic = new Map<string, Batch['topicMessages'][number]['messages']>();
    const spans: Span[] = [];
    for (const row of rows) {
      const topic = options.topicMap ? options.topicMap(row.topic) : row.topic;
      const messages = byTopic.get(topic) ?? [];
      const publish = row.traceparent
        ? openSpan({
            name: `publish ${row.header.eventType}`,
            kind: SpanKind.PRODUCER,
            parent: row.traceparent,
            attributes: {
              'messaging.system': 'kafka',
              'messaging.destination.name': topic,
              'atlas.event_type': row.header.eventType,
              'atlas.event_id': row.header.eventId,
              'atlas.aggregate_id': row.aggregate_id,
              // When the row was staged: the span's start minus this is its wait in the outbox.
              'atlas.staged_at': row.created_at.toISOString(),
            },
          })
        : undefined;
      if (publish) spans.push(publish.span);
      messages.push({
        key: row.aggregate_id,
        value: row.avro
          ? await options.codec.frame(row.header.eventType, row.avro)
          : // createEvent checked it before it entered the outbox; Avro still checks the types.
            await options.codec.encode(row.event as AnyAtlasEvent, { prevalidated: true }),
        headers: cloudEventKafkaHeaders({
          ...row.header,
          aggregateId: row.aggregate_id,
          traceparent: publish?.traceparent,
        }),
      });
      byTopic.set(topic, messages);
    }
    return {
      rows,
      spans,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    };
  }

  /** Sends a batch and waits for the broker's acknowledgement; returns when it was acknowledged. */
  async function send(batch: Batch): Promise<number> {
    try {
      await options.producer.sendBatch({ acks: -1, topicMessages: batch.topicMessages });
    } catch (error) {
      for (const span of batch.spans) span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      for (const span of batch.spans) span.end();
    }
    return Date.now();
  }

  async function forget(
    connection: NonNullable<typeof leader>,
    batch: Batch,
    ackedAt: number,
  ): Promise<void> {
    await connection`delete from atlas_outbox where id = any(${batch.rows.map((row) => row.id)}::bigint[])`;
    deletedSinceVacuum += batch.rows.length;
    published.inc(labels, batch.rows.length);
    for (const row of batch.rows)
      latency.observe(labels, Math.max(0, ackedAt - row.created_at.getTime()) / 1000);
  }

  /**
   * Publishes everything committed, batch after batch, and returns how many rows it published.
   * Reading and encoding the next batch overlaps the broker round trip of the current one, but a
   * batch is sent only after the one before it was acknowledged, so the order holds. Within one
   * drain a cursor skips the rows in flight; a row that commits late with a smaller id is taken by
   * the next drain (one aggregate's rows never do that: its writers serialise on the aggregate).
   */
  async function drain(connection: NonNullable<typeof leader>): Promise<number> {
    let total = 0;
    let inFlight: Promise<unknown> = Promise.resolve();
    // Deletes trail the sends: an acknowledged batch is deleted while the next one is on the wire.
    // A delete lost to a crash only republishes its rows, which the consumers' inboxes absorb.
    let deleting: Promise<void> = Promise.resolve();
    let cursor = '0';
    try {
      while (running) {
        const batch = await readBatch(connection, cursor);
        await inFlight;
        if (batch.rows.length === 0) break;
        cursor = batch.rows.at(-1)?.id ?? cursor;
        total += batch.rows.length;
        const sent = send(batch);
        const previous = deleting;
        deleting = sent.then(async (ackedAt) => {
          await previous;
          await forget(connection, batch, ackedAt);
        });
        inFlight = sent;
        // Handled where they are awaited; this only keeps a failure during the next read from
        // counting as an unhandled rejection, which would end the process.
        inFlight.catch(() => undefined);
        deleting.catch(() => undefined);
        if (batch.rows.length < batchSize) break;
      }
    } finally {
      // Never leave a send or a delete running into the next drain (whose cursor starts again at
      // 0) or into a loss of leadership.
      await Promise.allSettled([inFlight, deleting]);
    }
    // Settled above; awaited again so that a failed send or delete fails the drain.
    await inFlight;
    await deleting;
    return total;
  }

  /**
   * The outbox is a queue: every row is inserted once and deleted once, so without VACUUM its heap
   * and indexes only grow, and each read walks the dead rows again (on a server with autovacuum
   * off, 14 MB and ~1 000 pages per read after a few minutes of load). The relay knows best how
   * much it deleted, so it vacuums its own table instead of relying on the server's settings; a
   * VACUUM of a table of dead rows takes milliseconds and frees the trailing pages.
   */
  async function vacuumIfDue(connection: NonNullable<typeof leader>): Promise<void> {
    if (deletedSinceVacuum < vacuumEveryRows) return;
    deletedSinceVacuum = 0;
    // Housekeeping, not publishing: a failed VACUUM is retried after the next 1,000 rows and never
    // costs the lead. A broken connection shows at the next drain, which handles it.
    await connection`vacuum atlas_outbox`.catch((error: unknown) => {
      options.logger.warn({ err: error, outcome: 'failed' }, 'outbox vacuum failed');
    });
  }

  let backlogRefreshedAt = 0;
  /** At most once per poll interval: a count per batch would cost the hot path a round trip. */
  async function refreshBacklog(): Promise<void> {
    if (Date.now() - backlogRefreshedAt < pollIntervalMs) return;
    backlogRefreshedAt = Date.now();
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
        if (connection) {
          await drain(connection);
          await vacuumIfDue(connection);
        }
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
