import { runStatelessHttpFunction } from '@atlas/http';
import { kafkaReachable, stackDeadLetterSource } from '@atlas/messaging/dead-letters';
import definition from './function.json' with { type: 'json' };
import { listDeadLettersRoutes } from './routes.ts';

const source = stackDeadLetterSource();

await runStatelessHttpFunction({
  service: 'ops',
  name: definition.name,
  port: definition.port,
  routes: (dependencies) => listDeadLettersRoutes(dependencies, source),
  readiness: { kafka: () => kafkaReachable(source.kafka) },
});
