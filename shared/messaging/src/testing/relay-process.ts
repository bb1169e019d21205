/**
 * A relay in a process of its own, for the crash test: it can be SIGKILLed mid-batch.
 * Env: ATLAS_TEST_DATABASE_URL, ATLAS_TEST_TOPIC, ATLAS_TEST_BATCH_SIZE.
 */
import { Partitioners } from 'kafkajs';
import { loadStackConfig } from '@atlas/config';
import { createSql } from '@atlas/db';
import { createEventCodec } from '@atlas/events';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { createOutboxRelay } from '../index.ts';
import { testKafka } from './index.ts';

const env = process.env;
const sql = createSql(env['ATLAS_TEST_DATABASE_URL'] ?? '', {
  applicationName: 'atlas-test-relay',
});
const producer = testKafka().producer({
  idempotent: true,
  createPartitioner: Partitioners.DefaultPartitioner,
});
await producer.connect();
const relay = createOutboxRelay({
  service: 'crash-test',
  sql,
  producer,
  codec: createEventCodec({ registryUrl: loadStackConfig().schemaRegistry.url }),
  logger: createLogger({ service: 'test', function: 'relay-process', level: 'warn' }),
  registry: createMetricsRegistry({ service: 'test', function: 'relay-process' }),
  batchSize: Number(env['ATLAS_TEST_BATCH_SIZE'] ?? 100),
  topicMap: () => env['ATLAS_TEST_TOPIC'] ?? '',
});
await relay.start();
console.log('relay started');
