import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createLogger, Registry } from '@atlas/observability';
import { createChaos, type Chaos } from './chaos.ts';
import { consumerLag } from './lag.ts';
import { groupIdOf, startKafkaSources, type KafkaSourceDefinition } from './sources.ts';
import {
  brokers,
  closedPort,
  committedOffsets,
  createTopics,
  deleteTopicsAndGroups,
  header,
  kafka,
  produce,
  readRecords,
  recordCount,
  startSink,
  testTopics,
  type Received,
} from './test-support.ts';

const cleanup: { topics: string[]; groups: string[] } = { topics: [], groups: [] };
afterAll(() => deleteTopicsAndGroups(cleanup.topics, cleanup.groups));

/** Throw-away topics (the DLQ unless told not to) and a source delivering the topic to `port`. */
async function scenario(port: number, options: { partitions?: number; withDlq?: boolean } = {}) {
  const { topic, dlq } = testTopics();
  const name = `test-${randomUUID().slice(0, 8)}`;
  cleanup.topics.push(topic, dlq);
  cleanup.groups.push(groupIdOf(name));
  await createTopics(options.withDlq === false ? [topic] : [topic, dlq], options.partitions);
  const source: KafkaSourceDefinition = {
    name,
    port,
    trigger: { kind: 'kafka', topics: [topic], eventTypes: ['OrderPlaced'] },
  };
  return { topic, dlq, name, source };
}

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ service: 'infra', function: 'kafka-source', destination });
  return { logger, lines };
}

function start(
  source: KafkaSourceDefinition,
  extra: { retries?: number; registry?: Registry; chaos?: Chaos } = {},
) {
  const { logger, lines } = capturedLogger();
  const registry = extra.registry ?? new Registry();
  const running = startKafkaSources({
    sources: [source],
    brokers,
    logger,
    registry,
    backoffMs: 10,
    retries: extra.retries ?? 5,
    env: {},
    ...(extra.chaos ? { chaos: extra.chaos } : {}),
  });
  return { running, lines, registry };
}

function outboxHeaders(id: string) {
  return {
    ce_id: id,
    ce_type: 'OrderPlaced',
    ce_source: '/atlas/order/place-order',
    ce_specversion: '1.0',
    ce_time: '2026-11-27T10:00:00.000Z',
    'content-type': 'application/avro',
  };
}

const idOf = (request: Received): string | undefined => request.headers['ce-id'] as string;
const attemptsFor = (received: readonly Received[], id: string): number =>
  received.filter((request) => idOf(request) === id).length;

async function metricValue(registry: Registry, name: string, labels: Record<string, string>) {
  const metric = registry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  const match = values.find((value) =>
    Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted),
  );
  return match?.value ?? 0;
}

describe('the local KafkaSource', () => {
  it('reports a group behind by what it has not committed, and 0 once it caught up', async () => {
    const sink = await startSink(() => 200);
    const { topic, source } = await scenario(sink.port, { partitions: 2 });
    await produce(
      topic,
      Array.from({ length: 6 }, (_, i) => ({
        key: `order-${i}`,
        value: `v-${i}`,
        headers: outboxHeaders(`lag-${i}`),
      })),
    );
    // Before the source ever ran, its group has committed nothing: behind by every record.
    const admin = kafka.admin();
    await admin.connect();
    try {
      const before = await consumerLag(admin, [
        { groupId: groupIdOf(source.name), topics: [topic] },
      ]);
      expect(before.reduce((sum, row) => sum + row.lag, 0)).toBe(6);
      expect(before.map((row) => row.partition).sort()).toEqual([0, 1]);
    } finally {
      await admin.disconnect();
    }

    const sources = await start(source).running;
    try {
      await sink.waitFor((received) => received.length >= 6);
      // Offsets are committed once a second after delivery.
      const deadline = Date.now() + 15_000;
      let lag: number | undefined;
      while (Date.now() < deadline) {
        lag = (await sources.lag()).reduce((sum, row) => sum + row.lag, 0);
        if (lag === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(lag).toBe(0);
    } finally {
      await sources.stop();
      await sink.close();
    }
  });

  it('injects duplicates and hold-backs when a drill arms it, keeping order within a partition', async () => {
    const sink = await startSink(() => 200);
    const { topic, source } = await scenario(sink.port, { partitions: 2 });
    const records = Array.from({ length: 10 }, (_, i) => ({
      key: `order-${i % 2}`,
      value: `v-${i}`,
      headers: outboxHeaders(`chaos-${i}`),
    }));
    await produce(topic, records);
    const chaos = createChaos();
    chaos.arm({ seconds: 60, duplicateRate: 1, delayRate: 1, maxDelayMs: 50 });
    const registry = new Registry();
    const sources = await start(source, { chaos, registry }).running;
    try {
      await sink.waitFor((received) => received.length >= 20);
      // A duplicate is counted once its answer is back, a moment after the sink saw it.
      const deadline = Date.now() + 5_000;
      while (
        Date.now() < deadline &&
        (await metricValue(registry, 'atlas_delivery_events_total', { outcome: 'duplicate' })) < 10
      )
        await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await sources.stop();
      await sink.close();
    }

    // Every record twice; the first deliveries of a partition still in order.
    for (const record of records) expect(attemptsFor(sink.received, record.headers.ce_id)).toBe(2);
    for (const key of ['order-0', 'order-1']) {
      const expected = records.filter((r) => r.key === key).map((r) => r.headers.ce_id);
      const firsts = [...new Set(sink.received.map(idOf))].filter((id) =>
        expected.includes(id ?? ''),
      );
      expect(firsts).toEqual(expected);
    }
    expect(chaos.state()).toMatchObject({ duplicated: 10, delayed: 10 });
    expect(
      await metricValue(registry, 'atlas_delivery_events_total', { outcome: 'duplicate' }),
    ).toBe(10);
  });

  it('delivers each partition in order as binary CloudEvents, body bytes unchanged', async () => {
    const sink = await startSink(() => 200);
    const { topic, source } = await scenario(sink.port, { partitions: 2 });
    const records = Array.from({ length: 8 }, (_, i) => ({
      key: `order-${i % 2}`,
      value: Buffer.from([0, 0, 0, 0, 1, i, 0xff, 0x80]),
      headers: outboxHeaders(`e-${i}`),
    }));
    await produce(topic, [...records, { key: 'plain', value: 'not a cloudevent' }]);
    const { running } = start(source);
    const sources = await running;

    try {
      await sink.waitFor((received) => received.length >= 9);
    } finally {
      await sources.stop();
      await sink.close();
    }

    for (const key of ['order-0', 'order-1']) {
      const expected = records.filter((r) => r.key === key).map((r) => r.headers.ce_id);
      const got = sink.received.map(idOf).filter((id) => expected.includes(id ?? ''));
      expect(got).toEqual(expected);
    }
    const first = sink.received.find((request) => idOf(request) === 'e-3');
    expect(first?.headers).toMatchObject({
      'ce-type': 'OrderPlaced',
      'ce-source': '/atlas/order/place-order',
      'ce-specversion': '1.0',
      'ce-time': '2026-11-27T10:00:00.000Z',
      'content-type': 'application/avro',
    });
    expect(first?.body).toEqual(records[3]?.value);
    const plain = sink.received.find((request) => request.headers['ce-key'] === 'plain');
    expect(plain?.headers).toMatchObject({
      'ce-type': 'dev.knative.kafka.event',
      'ce-source': `/apis/v1/namespaces/atlas-erp/kafkasources/${source.name}#${topic}`,
      'ce-specversion': '1.0',
    });
    expect(plain?.headers['ce-subject']).toMatch(/^partition:[01]#0$/);
    expect(plain?.body.toString()).toBe('not a cloudevent');
  });

  it('delivers on the third attempt when the sink answers 500 twice, dead-lettering nothing', async () => {
    const sink = await startSink((_request, index) => (index < 2 ? 500 : 200));
    const { topic, dlq, source } = await scenario(sink.port);
    await produce(topic, [{ key: 'order-1', value: 'v', headers: outboxHeaders('e-flaky') }]);
    const { running, registry } = start(source);
    const sources = await running;

    try {
      await sink.waitFor((received) => received.length >= 3);
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await sources.stop();
      await sink.close();
    }

    expect(attemptsFor(sink.received, 'e-flaky')).toBe(3);
    expect(await recordCount(dlq)).toBe(0);
    expect(
      await metricValue(registry, 'atlas_delivery_retries_total', { function: source.name }),
    ).toBe(2);
    expect(
      await metricValue(registry, 'atlas_delivery_events_total', {
        function: source.name,
        outcome: 'delivered',
      }),
    ).toBe(1);
  });

  describe('when an event is poison (the sink always answers 500)', () => {
    it('dead-letters it after 6 attempts with its metadata and goes on with the partition', async () => {
      const sink = await startSink((request) => (idOf(request) === 'e-poison' ? 500 : 200));
      const { topic, dlq, source } = await scenario(sink.port);
      const value = Buffer.from([0, 0, 0, 0, 9, 0xfe]);
      await produce(topic, [
        { key: 'order-7', value, headers: outboxHeaders('e-poison') },
        { key: 'order-7', value: 'next', headers: outboxHeaders('e-next') },
      ]);
      const { running, lines } = start(source);
      const sources = await running;

      try {
        await sink.waitFor((received) => received.some((request) => idOf(request) === 'e-next'));
      } finally {
        await sources.stop();
        await sink.close();
      }

      expect(attemptsFor(sink.received, 'e-poison')).toBe(6);
      const [letter] = await readRecords(dlq, 1);
      expect(letter?.key?.toString()).toBe('order-7');
      expect(letter?.value).toEqual(value);
      const headers = Object.fromEntries(
        Object.entries(letter?.headers ?? {}).map(([name, v]) => [name, header(v)]),
      );
      expect(headers).toMatchObject({
        ce_id: 'e-poison',
        ce_type: 'OrderPlaced',
        'content-type': 'application/avro',
        ce_knativeerrordest: `http://127.0.0.1:${sink.port}/`,
        ce_knativeerrorcode: '500',
        ce_knativeerrordata: Buffer.from('sink said 500').toString('base64'),
        atlas_dlq_attempts: '6',
        atlas_dlq_source_topic: topic,
        atlas_dlq_source_partition: '0',
        atlas_dlq_source_offset: '0',
        atlas_dlq_consumer: source.name,
      });
      expect(Date.parse(headers['atlas_dlq_failed_at'] ?? '')).not.toBeNaN();
      expect(lines.filter((line) => line['msg'] === 'delivery failed, retrying')).toHaveLength(5);
      expect(lines.find((line) => line['msg'] === 'event dead-lettered')).toMatchObject({
        function: source.name,
        topic,
        partition: 0,
        offset: '0',
        attempt: 6,
        status: 500,
        eventId: 'e-poison',
      });
    });
  });

  it('dead-letters a 400 at once, after one attempt', async () => {
    const sink = await startSink(() => 400);
    const { topic, dlq, source } = await scenario(sink.port);
    await produce(topic, [{ key: 'order-2', value: 'bad', headers: outboxHeaders('e-bad') }]);
    const sources = await start(source).running;

    let letter;
    try {
      [letter] = await readRecords(dlq, 1);
    } finally {
      await sources.stop();
      await sink.close();
    }

    expect(sink.received).toHaveLength(1);
    expect(header(letter?.headers?.['ce_knativeerrorcode'])).toBe('400');
    expect(header(letter?.headers?.['atlas_dlq_attempts'])).toBe('1');
  });

  it('retries a sink that is down (connection refused) before dead-lettering with code 0', async () => {
    const { topic, dlq, source } = await scenario(await closedPort());
    await produce(topic, [{ key: 'order-3', value: 'v', headers: outboxHeaders('e-down') }]);
    const { running, registry } = start(source, { retries: 2 });
    const sources = await running;

    let letter;
    try {
      [letter] = await readRecords(dlq, 1);
    } finally {
      await sources.stop();
    }

    expect(header(letter?.headers?.['ce_knativeerrorcode'])).toBe('0');
    expect(header(letter?.headers?.['atlas_dlq_attempts'])).toBe('3');
    expect(
      await metricValue(registry, 'atlas_delivery_retries_total', { function: source.name }),
    ).toBe(2);
  });

  describe('when the dead-letter write fails', () => {
    it('commits nothing, and a restarted group delivers the same offset again', async () => {
      let verdict = 400;
      const sink = await startSink(() => verdict);
      const { topic, dlq, source } = await scenario(sink.port, { withDlq: false });
      await produce(topic, [{ key: 'order-4', value: 'v', headers: outboxHeaders('e-stuck') }]);
      const first = start(source, { retries: 0 });
      const sources = await first.running;

      try {
        // A second request for the same event: kafkajs went back to the uncommitted offset.
        await sink.waitFor((received) => received.length >= 2);
      } finally {
        await sources.stop();
      }
      expect(
        first.lines.some((line) => String(line['msg']).startsWith('dead-letter write failed')),
      ).toBe(true);
      expect(sink.received.map(idOf)).toEqual(sink.received.map(() => 'e-stuck'));
      expect(await committedOffsets(groupIdOf(source.name), topic)).toEqual(['-1']);

      verdict = 200;
      const before = sink.received.length;
      await createTopics([dlq]);
      const again = await start(source).running;
      try {
        await sink.waitFor((received) => received.length > before);
      } finally {
        await again.stop();
        await sink.close();
      }
      expect(idOf(sink.received[before] as Received)).toBe('e-stuck');
      expect(await committedOffsets(groupIdOf(source.name), topic)).toEqual(['1']);
    });
  });
});
