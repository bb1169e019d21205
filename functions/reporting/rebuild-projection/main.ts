import { logLevel } from 'kafkajs';
import { createKafka } from '@atlas/messaging/kafka';
import { loadStackConfig } from '@atlas/config';
import { EVENT_TOPICS, createEventCodec } from '@atlas/events';
import { runHttpFunction } from '@atlas/http';
import definition from './function.json' with { type: 'json' };
import { rebuildProjectionRoutes } from './routes.ts';

const config = loadStackConfig();
const source = {
  kafka: createKafka({
    clientId: 'atlas-reporting-rebuild-projection',
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.WARN,
  }),
  codec: createEventCodec({ registryUrl: config.schemaRegistry.url }),
  topics: Object.values(EVENT_TOPICS),
};

await runHttpFunction({
  service: 'reporting',
  name: definition.name,
  port: definition.port,
  routes: (dependencies, sql) => rebuildProjectionRoutes(dependencies, sql, source),
});
