import { runHttpFunction } from '@atlas/http';
import definition from './function.json' with { type: 'json' };
import { receiveStockRoutes } from './routes.ts';

await runHttpFunction({
  service: 'inventory',
  name: definition.name,
  port: definition.port,
  routes: receiveStockRoutes,
});
