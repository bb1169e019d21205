export { databaseOn, loadStackConfig, SERVICE_DATABASES, serviceNames } from './stack-config.ts';
export type { StackConfig, ServiceName } from './stack-config.ts';
export { ConfigError } from './config-error.ts';
export {
  ensureLocalWebhookSecret,
  loadPaymentWebhookSecret,
  loadSagaConfig,
  localWebhookSecretPath,
} from './saga-config.ts';
export type { SagaConfig } from './saga-config.ts';
export { repoRoot } from './repo-root.ts';
