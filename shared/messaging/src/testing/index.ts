import { randomUUID } from 'node:crypto';
import { logLevel, type Admin, type Kafka } from 'kafkajs';
import { createKafka } from '../kafka.ts';
import { assertSameEventTypes, type EventFunctionDefinition } from '../run-event-function.ts';
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

/**
 * Throws when a consumer's spec and the `function.json` beside it disagree on its event types, its
 * name (its inbox scope) or its service: the KafkaSource delivers what the declaration says, the
 * handler handles what its spec lists. The function refuses to start on the first; a unit test
 * says so before anything starts.
 */
export function assertDeclaredAs(
  spec: { readonly name: string; readonly service: string; readonly eventTypes: readonly string[] },
  definition: EventFunctionDefinition & { readonly service: string },
): void {
  assertSameEventTypes(definition, spec.eventTypes);
  if (spec.name !== definition.name || spec.service !== definition.service)
    throw new Error(
      `the spec names ${spec.service}/${spec.name}, function.json ${definition.service}/${definition.name}`,
    );
}

export { serveConsumer } from './serve-consumer.ts';
export type { ConsumerUnderTest } from './serve-consumer.ts';
