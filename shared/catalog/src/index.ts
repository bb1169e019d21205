export {
  CatalogError,
  FUNCTIONS_ROOT,
  catalogEntry,
  kafkaSources,
  loadCatalog,
} from './catalog.ts';
export type { CatalogEntry, CatalogTrigger, KafkaTrigger } from './catalog.ts';
export { functionDefinitionSchema } from './definition.ts';
export { functionUrl, functionUrlVariable } from './urls.ts';
export type { FunctionDefinition, ServiceOfFunction, Trigger } from './definition.ts';
export {
  DEAD_LETTER_RETENTION_DAYS,
  DEAD_LETTER_RETENTION_MS,
  DELIVERY_POLICY,
  guaranteedRetryWindowMs,
  isoDuration,
} from './delivery-policy.ts';
