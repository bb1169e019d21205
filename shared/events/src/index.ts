export {
  DLQ_TOPICS,
  EVENT_CATALOG,
  EVENT_TOPICS,
  EVENT_TYPES,
  isEventType,
  topicOf,
  topicsOf,
} from './catalog.ts';
export type { Domain, EventTopic } from './catalog.ts';
export type { AnyAtlasEvent, AtlasEvent, EventEnvelope } from './envelope.ts';
export type * from './payloads.ts';
export { assertValidEvent, createEvent } from './create-event.ts';
export type { EventContext } from './create-event.ts';
export {
  SCHEMA_ROOT,
  avroTypeOf,
  eventSchemaOf,
  recordNameOf,
  schemaFileOf,
  subjectOf,
} from './schemas.ts';
export type { RecordSchema } from './schemas.ts';
export { avroBodyOf, createEventCodec } from './codec.ts';
export type { EncodeOptions, EventCodec, EventCodecOptions } from './codec.ts';
export { registerSchemas } from './register.ts';
export type { RegisterSchemasOptions, RegisteredEventSchema } from './register.ts';
export { checkBackwardCompatible } from './compatibility.ts';
export type { CompatibilityResult } from './compatibility.ts';
export { listSchemaFiles, schemaBaselines } from './schema-history.ts';
export type { SchemaBaseline } from './schema-history.ts';
