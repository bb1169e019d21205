export { appendEvent } from '@atlas/outbox';
export { recordInInbox } from './inbox.ts';
export { createOutboxRelay } from './relay.ts';
export { runRelayFunction } from './run-relay.ts';
export type { RelayFunctionOptions } from './run-relay.ts';
export { EVENT_TOPIC_PARTITIONS, ensureTopics } from './topics.ts';
export type { OutboxRelay, OutboxRelayOptions } from './relay.ts';
export { AVRO_CONTENT_TYPE, cloudEventKafkaHeaders } from './cloud-event-headers.ts';
export { eventFunction } from './event-function.ts';
export type {
  EventFunctionDependencies,
  EventFunctionSpec,
  EventHandlerContext,
} from './event-function.ts';
export { assertSameEventTypes, runEventFunction } from './run-event-function.ts';
export type { EventFunctionDefinition, EventFunctionOptions } from './run-event-function.ts';
export { createKafka } from './kafka.ts';
export { readTopicsToEnd } from './read-topics.ts';
export type { ReadTopicsOptions, TopicRecord } from './read-topics.ts';
