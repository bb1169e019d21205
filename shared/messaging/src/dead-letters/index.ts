export {
  byNewestFailure,
  deadLetterId,
  domainOf,
  parseDeadLetterId,
  toDeadLetter,
} from './dead-letter.ts';
export type { DeadLetter, DeadLetterRecord } from './dead-letter.ts';
export {
  findDeadLetterRecord,
  listDeadLetterRecords,
  listDeadLetters,
} from './dead-letter-store.ts';
export type { DeadLetterSource } from './dead-letter-store.ts';
export { kafkaReachable, stackDeadLetterSource } from './stack-source.ts';
export { redisRedrivenLedger } from './redriven-ledger.ts';
export type { RedrivenLedger } from './redriven-ledger.ts';
export { kafkaHeaderText } from '../cloud-event-http.ts';
