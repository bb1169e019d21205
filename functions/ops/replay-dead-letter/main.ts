import { loadCatalog } from '@atlas/catalog';
import { runStatelessHttpFunction } from '@atlas/http';
import { kafkaReachable, stackDeadLetterSource } from '@atlas/messaging/dead-letters';
import definition from './function.json' with { type: 'json' };
import { replayDeadLetterRoutes } from './routes.ts';

const source = stackDeadLetterSource();
const catalog = loadCatalog();

await runStatelessHttpFunction({
  service: 'ops',
  name: definition.name,
  port: definition.port,
  routes: (dependencies) => replayDeadLetterRoutes(dependencies, { source, catalog }),
  readiness: { kafka: () => kafkaReachable(source.kafka) },
});
