import { runHttpFunction } from '@atlas/http';
import definition from './function.json' with { type: 'json' };
import { listAuditRoutes } from './routes.ts';

await runHttpFunction({
  service: 'workflow',
  name: definition.name,
  port: definition.port,
  routes: listAuditRoutes,
});
