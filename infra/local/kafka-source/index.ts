export { toHttpCloudEvent, knativeSource } from './cloudevent.ts';
export type { HttpCloudEvent, KafkaRecord } from './cloudevent.ts';
export { DeliveryConfigError, loadDeliveryConfig, sinkUrl, sinkUrlVariable } from './config.ts';
export type { DeliveryConfig } from './config.ts';
export { DeadLetterWriteError, deadLetterMessage, deadLetterTopic } from './dead-letter.ts';
export { deliverWithRetry, ERROR_BODY_LIMIT } from './deliver.ts';
export type { DeliveryResult } from './deliver.ts';
export { backoffDelay, isRetriableStatus } from './retry.ts';
export { startStatusServer } from './server.ts';
export type { StatusServerOptions } from './server.ts';
export { consumerLag, registerLagGauge } from './lag.ts';
export type { PartitionLag } from './lag.ts';
export { groupIdOf, startKafkaSources } from './sources.ts';
export type {
  KafkaSourceDefinition,
  KafkaSources,
  KafkaSourcesOptions,
  SourceHealth,
} from './sources.ts';
