import { createTokenVerifier, tokenVerifierOptionsFrom } from '@atlas/auth';
import { loadCatalog } from '@atlas/catalog';
import { loadStackConfig } from '@atlas/config';
import { serve } from '@atlas/http';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { gatewayRoutes } from './proxy.ts';
import { upstreamRoutes } from './routing.ts';

const config = loadStackConfig();
const labels = { service: 'gateway', function: 'gateway' };
const logger = createLogger(labels);
const registry = createMetricsRegistry(labels);
const running = await serve({
  name: 'gateway',
  routes: gatewayRoutes(upstreamRoutes(loadCatalog()), {
    verifier: createTokenVerifier(tokenVerifierOptionsFrom(config)),
    logger,
    registry,
  }),
  logger,
  registry,
  port: Number(process.env['PORT'] ?? config.gateway.port),
  host: process.env['ATLAS_BIND_HOST'] ?? '127.0.0.1',
});
logger.info({ url: running.url, outcome: 'started' }, 'gateway started');
const shutdown = (): void => void running.close();
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
