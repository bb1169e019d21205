import { runHttpFunction } from '@atlas/http';
import definition from './function.json' with { type: 'json' };
import { dailySalesRoutes } from './routes.ts';

await runHttpFunction({
  service: 'reporting',
  name: definition.name,
  port: definition.port,
  routes: dailySalesRoutes,
});
