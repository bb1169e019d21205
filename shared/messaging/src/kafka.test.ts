import { afterEach, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { logLevel, type Producer } from 'kafkajs';
import { loadStackConfig } from '@atlas/config';
import { createKafka } from './kafka.ts';

describe('createKafka', () => {
  let producer: Producer | undefined;
  afterEach(async () => {
    await producer?.disconnect();
  });

  it('leaves an idle connection asleep instead of re-arming a 1 ms timer for ever', async () => {
    // Prepare: a connected producer with nothing to send.
    const kafka = createKafka({
      clientId: 'atlas-idle-test',
      brokers: [...loadStackConfig().kafka.brokers],
      logLevel: logLevel.NOTHING,
    });
    producer = kafka.producer();
    await producer.connect();
    await sleep(100);
    const original = globalThis.setTimeout;
    let armed = 0;
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      armed += 1;
      return original(...args);
    }) as typeof setTimeout;
    try {
      // Act: half a second of idleness (unpatched kafkajs 2.2.4 arms ~500 timers here).
      await sleep(500);
    } finally {
      globalThis.setTimeout = original;
    }
    // Assess: only the sleep itself, and nothing per millisecond.
    expect(armed).toBeLessThan(10);
  });

  it('still sends and is acknowledged', async () => {
    const kafka = createKafka({
      clientId: 'atlas-idle-test',
      brokers: [...loadStackConfig().kafka.brokers],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const topic = `atlas-test-idle-${Date.now()}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    producer = kafka.producer();
    await producer.connect();
    try {
      const [ack] = await producer.send({ topic, acks: -1, messages: [{ value: 'x' }] });
      expect(ack?.errorCode).toBe(0);
    } finally {
      await admin.deleteTopics({ topics: [topic] });
      await admin.disconnect();
    }
  });
});
