import { createTokenVerifier, tokenVerifierOptionsFrom } from '@atlas/auth';
import { loadCatalog } from '@atlas/catalog';
import { loadStackConfig } from '@atlas/config';
import { serveFunctionProcess } from '@atlas/http';
import { createLogger, createMetricsRegistry } from '@atlas/observability';
import { gatewayRoutes } from './proxy.ts';
import { upstreamRoutes } from './routing.ts';

const config = loadStackConfig();
const labels = { service: 'gateway', function: 'gateway' };
const logger = createLogger(labels);
const registry = createMetricsRegistry(labels);
await serveFunctionProcess({
  service: 'gateway',
  name: 'gateway',
  port: config.gateway.port,
  routes: gatewayRoutes(upstreamRoutes(loadCatalog()), {
    verifier: createTokenVerifier(tokenVerifierOptionsFrom(config)),
    logger,
    registry,
  }),
  logger,
  registry,
});
