import { runHttpFunction } from '@atlas/http';
import { createRedisClient } from '@atlas/idempotency';
import { loadStackConfig } from '@atlas/config';
import { redisRedrivenLedger, stackDeadLetterSource } from '@atlas/messaging/dead-letters';
import definition from './function.json' with { type: 'json' };
import { listStuckOrdersRoutes } from './routes.ts';

const source = stackDeadLetterSource();
const redis = await createRedisClient(loadStackConfig().redis.url);

await runHttpFunction({
  service: 'order',
  name: definition.name,
  port: definition.port,
  routes: (dependencies, sql) =>
    listStuckOrdersRoutes(dependencies, sql, { source, ledger: redisRedrivenLedger(redis) }),
  // Its own Redis client would otherwise keep the process alive after SIGTERM.
  onShutdown: async () => {
    await redis.quit();
  },
});
