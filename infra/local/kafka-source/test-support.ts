import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logLevel, type IHeaders, type KafkaMessage } from 'kafkajs';
import { createKafka } from '@atlas/messaging/kafka';
import { loadStackConfig } from '@atlas/config';

// Helpers of the delivery tests: a real HTTP sink and throw-away topics on the real broker.

export const brokers = loadStackConfig().kafka.brokers;
export const kafka = createKafka({
  clientId: 'atlas-kafka-source-test',
  brokers: [...brokers],
  logLevel: logLevel.NOTHING,
});

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface Sink {
  readonly port: number;
  readonly received: Received[];
  /** Resolves once `predicate` holds for the requests received so far. */
  waitFor(predicate: (received: readonly Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A sink function: answers each request with the status `answer` picks (and a short body). */
export async function startSink(
  answer: (request: Received, index: number) => number,
): Promise<Sink> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { headers: request.headers, body: Buffer.concat(chunks) };
      received.push(entry);
      const status = answer(entry, received.length - 1);
      response.writeHead(status).end(status < 300 ? '' : `sink said ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    received,
    waitFor: (predicate, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const check = (): void => {
          if (predicate(received)) resolve();
          else if (Date.now() > deadline)
            reject(new Error(`sink condition not met; ${received.length} requests received`));
          else setTimeout(check, 25);
        };
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: a sink that is down. */
export async function closedPort(): Promise<number> {
  const sink = await startSink(() => 200);
  await sink.close();
  return sink.port;
}

/** `atlas.test<letters>.events.v1` and its DLQ: the catalog's topic rule allows no digits there. */
export function testTopics(): { topic: string; dlq: string } {
  const domain = `test${randomUUID()
    .replaceAll('-', '')
    .replace(/\d/g, (digit) => 'ghijklmnop'.charAt(Number(digit)))}`;
  return { topic: `atlas.${domain}.events.v1`, dlq: `atlas.${domain}.dlq.v1` };
}

export async function createTopics(topics: readonly string[], numPartitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopicsAndGroups(
  topics: readonly string[],
  groups: readonly string[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups([...groups]).catch(() => undefined);
    const existing = new Set(await admin.listTopics());
    const ours = topics.filter((topic) => existing.has(topic));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  } finally {
    await admin.disconnect();
  }
}

export async function produce(
  topic: string,
  messages: readonly { key: string; value: Buffer | string; headers?: IHeaders }[],
): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    // One send per record keeps the offsets in the order of `messages`.
    for (const message of messages) await producer.send({ topic, acks: -1, messages: [message] });
  } finally {
    await producer.disconnect();
  }
}

/** Reads `count` records of `topic` from the start with a throw-away group. */
export async function readRecords(topic: string, count: number): Promise<KafkaMessage[]> {
  const groupId = `atlas-test-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId });
  const records: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${records.length} of ${count} records in ${topic}`)),
        15_000,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          records.push(message);
          if (records.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
    await deleteTopicsAndGroups([], [groupId]);
  }
  return records;
}

/** The sum of a topic's high-water marks: how many records were ever written to it. */
export async function recordCount(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** The offsets a group committed on `topic`, by partition (`-1`: nothing committed). */
export async function committedOffsets(groupId: string, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (result?.partitions ?? [])
      .sort((a, b) => a.partition - b.partition)
      .map((partition) => partition.offset);
  } finally {
    await admin.disconnect();
  }
}

export function header(value: IHeaders[string]): string | undefined {
  return Array.isArray(value) ? value.at(-1)?.toString() : value?.toString();
}
