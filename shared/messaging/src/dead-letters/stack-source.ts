import { logLevel, type Kafka } from 'kafkajs';
import { createKafka } from '../kafka.ts';
import { loadStackConfig } from '@atlas/config';
import { DLQ_TOPICS } from '@atlas/events';
import type { DeadLetterSource } from './dead-letter-store.ts';

/** The four dead-letter topics on the stack's brokers, as both ops functions read them. */
export function stackDeadLetterSource(): DeadLetterSource {
  return {
    kafka: createKafka({
      clientId: 'atlas-ops',
      brokers: [...loadStackConfig().kafka.brokers],
      logLevel: logLevel.WARN,
    }),
    topics: Object.values(DLQ_TOPICS),
  };
}

/** `/ready`: the brokers answer a metadata request. */
export async function kafkaReachable(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}
