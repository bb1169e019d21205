import { runHttpFunction } from '@atlas/http';
import definition from './function.json' with { type: 'json' };
import { placeOrderRoutes } from './routes.ts';

await runHttpFunction({
  service: 'order',
  name: definition.name,
  port: definition.port,
  routes: placeOrderRoutes,
});
