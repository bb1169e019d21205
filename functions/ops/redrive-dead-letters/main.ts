import { loadCatalog } from '@atlas/catalog';
import { runStatelessHttpFunction } from '@atlas/http';
import { kafkaReachable, stackDeadLetterSource } from '@atlas/messaging/dead-letters';
import { redisRedrivenLedger } from '@atlas/messaging/dead-letters';
import definition from './function.json' with { type: 'json' };
import { redriveDeadLettersRoutes } from './routes.ts';

const source = stackDeadLetterSource();
const catalog = loadCatalog();

await runStatelessHttpFunction({
  service: 'ops',
  name: definition.name,
  port: definition.port,
  routes: (dependencies, redis) =>
    redriveDeadLettersRoutes(dependencies, { source, catalog, ledger: redisRedrivenLedger(redis) }),
  readiness: { kafka: () => kafkaReachable(source.kafka) },
});
