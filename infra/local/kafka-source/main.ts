import { kafkaSources, loadCatalog } from '@atlas/catalog';
import { loadStackConfig } from '@atlas/config';
import { createLogger, createMetricsRegistry, startTracing } from '@atlas/observability';
import { createChaos } from './chaos.ts';
import { loadDeliveryConfig } from './config.ts';
import { registerLagGauge } from './lag.ts';
import { startStatusServer } from './server.ts';
import { startKafkaSources } from './sources.ts';

// The local KafkaSource: `node infra/local/kafka-source/main.ts`. Reads the catalog, delivers
// every Kafka-triggered function's topic to it, and stops cleanly on SIGTERM or SIGINT.
const logger = createLogger({ service: 'infra', function: 'kafka-source' });
const tracing = startTracing('kafka-source');
const registry = createMetricsRegistry({ service: 'infra', function: 'kafka-source' });
const config = loadDeliveryConfig();
// Qualified names (`inventory-reserve-stock`) are unique across services: group ids and URL overrides use them.
const sources = kafkaSources(loadCatalog()).map((entry) => ({
  ...entry,
  name: entry.qualifiedName,
}));

const chaos = createChaos();
const running = await startKafkaSources({
  chaos,
  sources,
  brokers: loadStackConfig().kafka.brokers,
  logger,
  registry,
  backoffMs: config.backoffMs,
  retries: config.retries,
  timeoutMs: config.timeoutMs,
});
registerLagGauge(registry, () => running.lag());
const server = await startStatusServer({
  port: config.port,
  registry,
  health: () => running.health(),
  lag: () => running.lag(),
  chaos,
});
logger.info(
  { sources: sources.map((source) => source.name), port: config.port },
  sources.length === 0 ? 'no Kafka-triggered function in the catalog' : 'delivering',
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  server.close();
  try {
    await running.stop();
    await tracing.shutdown();
    process.exitCode = 0;
  } catch (error) {
    logger.error({ err: error }, 'stop failed');
    process.exitCode = 1;
  }
}
process.once('SIGTERM', (signal) => void shutdown(signal));
process.once('SIGINT', (signal) => void shutdown(signal));
