import { runHttpFunction } from '@atlas/http';
import definition from './function.json' with { type: 'json' };
import { listApprovalsRoutes } from './routes.ts';

await runHttpFunction({
  service: 'workflow',
  name: definition.name,
  port: definition.port,
  routes: listApprovalsRoutes,
});
