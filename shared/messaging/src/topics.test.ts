import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import kafkajs, { type Admin } from 'kafkajs';
import { DEAD_LETTER_RETENTION_MS } from '@atlas/catalog';
import { DLQ_TOPICS } from '@atlas/events';
import { testKafka } from './testing/index.ts';
import { ensureTopics } from './topics.ts';

describe('ensureTopics', () => {
  let admin: Admin;
  beforeAll(async () => {
    admin = testKafka().admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });

  it('keeps every dead letter for the documented retention, not the broker default of a day', async () => {
    await ensureTopics(admin);

    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: Object.values(DLQ_TOPICS).map((name) => ({
        type: kafkajs.ConfigResourceTypes.TOPIC,
        name,
        configNames: ['retention.ms'],
      })),
    });
    const retention = described.resources.map((resource) => [
      resource.resourceName,
      resource.configEntries.find((entry) => entry.configName === 'retention.ms')?.configValue,
    ]);
    expect(retention).toEqual(
      Object.values(DLQ_TOPICS).map((name) => [name, String(DEAD_LETTER_RETENTION_MS)]),
    );
  });
});
