/**
 * `npm run bench:relay`: how close the outbox relay gets to a bare producer, and how long a committed
 * event waits for its broker ack at a steady 1,000 events/s. Not a test: it prints a summary and, as
 * its last line, one JSON object. BENCH_RELAY_EVENTS / _RATE / _SECONDS / _WRITERS override the
 * sizes; BENCH_RELAY_ASYNC_COMMIT=1 is a what-if (see docs/benchmarks.md).
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { Partitioners, type Admin, type Message, type Producer } from 'kafkajs';
import { loadStackConfig } from '@atlas/config';
import { createSql, type Sql } from '@atlas/db';
import { createTestDatabase, type TestDatabase } from '@atlas/db/testing';
import { createEventCodec, registerSchemas, type AtlasEvent } from '@atlas/events';
import {
  EVENT_TOPIC_PARTITIONS,
  cloudEventKafkaHeaders,
  createOutboxRelay,
  type OutboxRelay,
} from '@atlas/messaging';
import { createTestTopic, orderPlaced, testKafka } from '@atlas/messaging/testing';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { recordAcks } from './relay-acks.ts';
import { sendRaw, stageOutbox, writePaced } from './relay-phases.ts';
import { percentile, perSecond, round } from './relay-stats.ts';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const EVENTS = env('BENCH_RELAY_EVENTS', 30_000);
const RATE = env('BENCH_RELAY_RATE', 1_000);
const SECONDS = env('BENCH_RELAY_SECONDS', 15);
const WRITERS = env('BENCH_RELAY_WRITERS', 16);
// What-if for docs/benchmarks.md: the relay's own commits (its deletes) without a WAL flush wait.
const ASYNC_COMMIT = process.env['BENCH_RELAY_ASYNC_COMMIT'] === '1';
// The relay's default; the baseline uses the same so the two send identical batches.
const BATCH_SIZE = 500;
// Many events per order, like real traffic, and enough keys to spread over every partition.
const ORDERS = 1_000;

function eventsFor(count: number): AtlasEvent[] {
  const orderIds = Array.from({ length: Math.min(ORDERS, count) }, () => randomUUID());
  return Array.from({ length: count }, (_, i) => orderPlaced(orderIds[i % orderIds.length]));
}

const kafka = testKafka();
const logger = createLogger({ service: 'bench', function: 'relay-bench', level: 'warn' });
const topics: string[] = [];
let admin: Admin | undefined;
let producer: Producer | undefined;
let database: TestDatabase | undefined;
let writerSql: Sql | undefined;
let relaySql: Sql | undefined;
let relay: OutboxRelay | undefined;

async function newTopic(): Promise<string> {
  if (!admin) throw new Error('admin not connected');
  const topic = await createTestTopic(admin, EVENT_TOPIC_PARTITIONS);
  topics.push(topic);
  return topic;
}

async function bench(): Promise<BenchResult & Record<string, unknown>> {
  const loadavgStart = loadavg().map((value) => round(value, 2));
  const registryUrl = loadStackConfig().schemaRegistry.url;
  await registerSchemas({ registryUrl });
  const codec = createEventCodec({ registryUrl });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();

  const events = eventsFor(EVENTS);
  console.log(`raw baseline: ${EVENTS} pre-encoded events, batches of ${BATCH_SIZE} ...`);
  const messages: Message[] = [];
  // Timed because the relay pays this per row and the baseline does not: it explains the ratio.
  const encodeStarted = performance.now();
  for (const event of events) {
    messages.push({
      key: event.aggregateId,
      value: await codec.encode(event),
      headers: cloudEventKafkaHeaders(event),
    });
  }
  const encodeEventsPerSec = perSecond(EVENTS, performance.now() - encodeStarted);
  const rawMs = await sendRaw(producer, await newTopic(), messages, BATCH_SIZE);
  const rawEventsPerSec = perSecond(EVENTS, rawMs);

  console.log(`relay throughput: staging ${EVENTS} events in the outbox ...`);
  database = await createTestDatabase();
  await stageOutbox(database.sql, events);
  const acks = recordAcks(producer);
  const relayTopic = await newTopic();
  // Its own pool, as in production (run-relay.ts), so the writers' pool never starves it.
  relaySql = ASYNC_COMMIT
    ? postgres(database.url, {
        max: 4,
        onnotice: () => undefined,
        connection: { application_name: 'atlas-bench-relay', synchronous_commit: 'off' },
      })
    : createSql(database.url, { applicationName: 'atlas-bench-relay', max: 4 });
  relay = createOutboxRelay({
    service: 'bench',
    sql: relaySql,
    producer: acks.producer,
    codec,
    logger,
    registry: createMetricsRegistry({ service: 'bench', function: 'relay-bench' }),
    batchSize: BATCH_SIZE,
    topicMap: () => relayTopic,
  });
  const relayStarted = performance.now();
  await relay.start();
  const staged = events.map((event) => event.eventId);
  await acks.waitFor(staged, 90_000);
  const lastAck = Math.max(...staged.map((id) => acks.ackedAt.get(id) ?? Number.NaN));
  const relayMs = lastAck - relayStarted;
  const relayEventsPerSec = perSecond(EVENTS, relayMs);

  // Phase 2 left its rows dead in the heap and index; production's autovacuum keeps up with a
  // steady stream, so phase 3 starts from a vacuumed table rather than the aftermath of a burst.
  await database.sql`vacuum atlas_outbox`;
  const latencyEvents = eventsFor(Math.round(RATE * SECONDS));
  console.log(
    `latency: ${latencyEvents.length} events, one per transaction, at ${RATE}/s over ${WRITERS} connections ...`,
  );
  const writers = createSql(database.url, { applicationName: 'atlas-bench-writer', max: WRITERS });
  writerSql = writers;
  // Opens every connection now, so connection set-up does not eat into the paced schedule.
  await Promise.all(Array.from({ length: WRITERS }, () => writers`select pg_sleep(0.05)`));
  const latencyStarted = performance.now();
  const paced = await writePaced(writers, latencyEvents, RATE, WRITERS);
  const written = latencyEvents.map((event) => event.eventId);
  await acks.waitFor(written, 30_000);
  await relay.stop();
  relay = undefined;
  const [left] = await database.sql<{ n: number }[]>`select count(*)::int as n from atlas_outbox`;
  if (left?.n !== 0) throw new Error(`${left?.n ?? '?'} rows left in the outbox`);

  // A negative sample would only mean the writer's await resumed after the relay's; count it as 0.
  const latencies = written.map((id) =>
    Math.max(0, (acks.ackedAt.get(id) ?? Number.NaN) - (paced.committedAt.get(id) ?? Number.NaN)),
  );
  const latencyRate = perSecond(written.length, paced.elapsedMs);
  // Splits commit→ack into the broker's share and the relay's own (wake-up, select, delete, commit).
  const batches = acks.batches.filter((batch) => batch.startedAt >= latencyStarted);
  const sendMs = batches.map((batch) => batch.ms);
  const cycleMs = batches
    .slice(1)
    .map((batch, i) => batch.startedAt - (batches[i]?.startedAt ?? 0));
  return {
    rawEventsPerSec: round(rawEventsPerSec, 0),
    relayEventsPerSec: round(relayEventsPerSec, 0),
    throughputRatio: round(relayEventsPerSec / rawEventsPerSec, 2),
    encodeEventsPerSec: round(encodeEventsPerSec, 0),
    p50CommitToAckMs: round(percentile(latencies, 50)),
    p95CommitToAckMs: round(percentile(latencies, 95)),
    p99CommitToAckMs: round(percentile(latencies, 99)),
    maxCommitToAckMs: round(Math.max(...latencies)),
    latencyRateEventsPerSec: round(latencyRate, 0),
    latencyTargetRateEventsPerSec: RATE,
    latencyBatches: batches.length,
    latencyMeanBatchSize: round(written.length / Math.max(1, batches.length)),
    p50SendBatchMs: round(percentile(sendMs, 50)),
    p99SendBatchMs: round(percentile(sendMs, 99)),
    p50RelayCycleMs: round(percentile(cycleMs, 50)),
    events: { raw: EVENTS, relay: EVENTS, latency: written.length },
    batchSize: BATCH_SIZE,
    partitions: EVENT_TOPIC_PARTITIONS,
    writers: WRITERS,
    relayAsyncCommit: ASYNC_COMMIT,
    targets: { throughputRatio: 0.7, p99CommitToAckMs: 50 },
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadavgStart,
    loadavg: loadavg().map((value) => round(value, 2)),
  };
}

interface BenchResult {
  readonly rawEventsPerSec: number;
  readonly relayEventsPerSec: number;
  readonly throughputRatio: number;
  readonly encodeEventsPerSec: number;
  readonly p50CommitToAckMs: number;
  readonly p95CommitToAckMs: number;
  readonly p99CommitToAckMs: number;
  readonly maxCommitToAckMs: number;
  readonly latencyRateEventsPerSec: number;
  readonly latencyMeanBatchSize: number;
  readonly p50SendBatchMs: number;
  readonly p99SendBatchMs: number;
  readonly p50RelayCycleMs: number;
  readonly node: string;
  readonly cpus: number;
  readonly loadavgStart: number[];
  readonly loadavg: number[];
}

function summary(r: BenchResult): string {
  const met = (ok: boolean): string => (ok ? 'met' : 'MISSED');
  return [
    '',
    'Outbox relay benchmark',
    `  raw producer        ${r.rawEventsPerSec} events/s`,
    `  encode (validate+avro) ${r.encodeEventsPerSec} events/s on one core, paid by the relay, not the baseline`,
    `  relay (outbox→ack)  ${r.relayEventsPerSec} events/s, ratio ${r.throughputRatio} (target ≥ 0.7: ${met(r.throughputRatio >= 0.7)})`,
    `  commit→ack at ${r.latencyRateEventsPerSec} events/s: p50 ${r.p50CommitToAckMs} ms, p95 ${r.p95CommitToAckMs} ms, p99 ${r.p99CommitToAckMs} ms, max ${r.maxCommitToAckMs} ms (p99 target < 50 ms: ${met(r.p99CommitToAckMs < 50)})`,
    `  relay batches       mean ${r.latencyMeanBatchSize} events; sendBatch (broker ack) p50 ${r.p50SendBatchMs} ms, p99 ${r.p99SendBatchMs} ms; batch-to-batch p50 ${r.p50RelayCycleMs} ms`,
    `  machine             node ${r.node}, ${r.cpus} cpus, load ${r.loadavgStart.join(' ')} → ${r.loadavg.join(' ')}`,
    '',
  ].join('\n');
}

async function cleanUp(): Promise<void> {
  // Each step on its own: a failed one must not leave the databases or topics of the others behind.
  const steps = [
    async () => relay?.stop(),
    async () => writerSql?.end({ timeout: 5 }),
    async () => relaySql?.end({ timeout: 5 }),
    async () => database?.drop(),
    async () => (topics.length > 0 ? admin?.deleteTopics({ topics }) : undefined),
    async () => producer?.disconnect(),
    async () => admin?.disconnect(),
  ];
  for (const step of steps) {
    await step().catch((error: unknown) => {
      console.error('bench clean-up step failed:', error);
      process.exitCode = 1;
    });
  }
}

try {
  const result = await bench();
  console.log(summary(result));
  console.log(JSON.stringify(result));
} catch (error) {
  console.error('bench:relay failed:', error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
