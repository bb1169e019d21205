export { loadStackConfig, SERVICE_DATABASES, serviceNames } from './stack-config.ts';
export type { StackConfig, ServiceName } from './stack-config.ts';
export { ConfigError } from './config-error.ts';
