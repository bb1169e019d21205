import { randomUUID } from 'node:crypto';
import { logLevel, type Admin, type Kafka } from 'kafkajs';
import { createKafka } from '../kafka.ts';
import { loadStackConfig } from '@atlas/config';
import { createEvent, type AtlasEvent } from '@atlas/events';
import { PAYLOAD_FIXTURES, TEST_CONTEXT } from '@atlas/events/testing';

export const testKafka = (): Kafka =>
  createKafka({
    clientId: 'atlas-messaging-test',
    brokers: [...loadStackConfig().kafka.brokers],
    logLevel: logLevel.NOTHING,
  });

/** A throwaway topic that follows the naming rule, with `partitions` partitions. */
export async function createTestTopic(admin: Admin, partitions = 3): Promise<string> {
  // The domain part of a topic name is letters only (the catalog's and the dead-letter rule).
  const letters = randomUUID()
    .replaceAll('-', '')
    .replace(/\d/g, (digit) => 'ghijklmnop'.charAt(Number(digit)));
  const topic = `atlas.test${letters}.events.v1`;
  await admin.createTopics({
    topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  return topic;
}

/** An OrderPlaced for its own order, so tests can tell their events apart. */
export function orderPlaced(orderId: string = randomUUID()): AtlasEvent<'OrderPlaced'> {
  return createEvent(
    'OrderPlaced',
    { ...PAYLOAD_FIXTURES.OrderPlaced, orderId },
    { ...TEST_CONTEXT, correlationId: randomUUID() },
  );
}

export { serveConsumer } from './serve-consumer.ts';
export type { ConsumerUnderTest } from './serve-consumer.ts';
