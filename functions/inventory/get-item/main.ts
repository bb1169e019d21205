import { loadStackConfig } from '@atlas/config';
import { createSql } from '@atlas/db';
import { runHttpFunction } from '@atlas/http';
import definition from './function.json' with { type: 'json' };
import { getItemRoutes } from './routes.ts';

const sql = createSql(loadStackConfig().postgres.databaseUrl('inventory'), {
  applicationName: `inventory-${definition.name}`,
});
await runHttpFunction({
  service: 'inventory',
  name: definition.name,
  port: definition.port,
  sql,
  routes: (dependencies) => getItemRoutes(dependencies, sql),
});
