import { runHttpFunction } from '@atlas/http';
import definition from './function.json' with { type: 'json' };
import { getOrderRoutes } from './routes.ts';

await runHttpFunction({
  service: 'order',
  name: definition.name,
  port: definition.port,
  routes: getOrderRoutes,
});
