import { runHttpFunction } from '@atlas/http';
import definition from './function.json' with { type: 'json' };
import { listLedgerRoutes } from './routes.ts';

await runHttpFunction({
  service: 'billing',
  name: definition.name,
  port: definition.port,
  routes: listLedgerRoutes,
});
