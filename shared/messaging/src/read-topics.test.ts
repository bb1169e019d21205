import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { logLevel, type Admin, type Kafka } from 'kafkajs';
import { loadStackConfig } from '@atlas/config';
import { DependencyUnavailableError } from '@atlas/errors';
import { createKafka } from './kafka.ts';
import { readTopicsToEnd } from './read-topics.ts';
import { createTestTopic, testKafka } from './testing/index.ts';

// Against the stack's real Kafka broker.
jest.setTimeout(60_000);
let kafka: Kafka;
let admin: Admin;
let topic: string;

async function groupsStartingWith(prefix: string): Promise<string[]> {
  const { groups } = await admin.listGroups();
  return groups.map((group) => group.groupId).filter((id) => id.startsWith(prefix));
}

describe('reading topics to their ends', () => {
  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    topic = await createTestTopic(admin);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 30 }, (_, index) => ({
        key: `order-${index % 5}`,
        value: String(index),
      })),
    });
    await producer.disconnect();
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  it('reads every record there was, each partition in order, and leaves no group behind', async () => {
    const prefix = `atlas-test-read-${randomUUID()}`;
    const seen = new Map<number, number[]>();

    await readTopicsToEnd(
      kafka,
      [topic],
      async ({ partition, message }) => {
        seen.set(partition, [...(seen.get(partition) ?? []), Number(message.offset)]);
      },
      { groupPrefix: prefix },
    );

    expect([...seen.values()].flat()).toHaveLength(30);
    for (const offsets of seen.values())
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(await groupsStartingWith(prefix)).toEqual([]);
  });

  it('fails a read that times out, and never restarts its consumer afterwards', async () => {
    // kafkajs says so when it restarts a crashed consumer; the read's own client logs here.
    const lines: string[] = [];
    const watched = createKafka({
      clientId: 'atlas-messaging-test',
      brokers: [...loadStackConfig().kafka.brokers],
      logLevel: logLevel.ERROR,
      logCreator: () => (entry) => {
        lines.push(entry.log.message);
      },
    });

    await expect(
      readTopicsToEnd(watched, [topic], () => Promise.resolve(), {
        groupPrefix: `atlas-test-read-${randomUUID()}`,
        timeoutMs: 1,
      }),
    ).rejects.toBeInstanceOf(DependencyUnavailableError);

    // A restart comes ~300 ms after the crash that the read's end caused.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(lines.filter((line) => line.startsWith('Restarting the consumer'))).toEqual([]);
  });
});
