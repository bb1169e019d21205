export { ANSWER_LIMIT, accepted, deliverToConsumer } from './deliver.ts';
export type { ConsumerAnswer } from './deliver.ts';
export { REDRIVE_LIMIT, redriveSelectorSchema, selectForRedrive } from './redrive.ts';
export type { RedriveSelector } from './redrive.ts';
export { replayRequestOf, replayTarget } from './replay.ts';
export type { ReplayRequest } from './replay.ts';
