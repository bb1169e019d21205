import type { Kafka } from 'kafkajs';
import { readTopicsToEnd } from '../read-topics.ts';
import {
  byNewestFailure,
  parseDeadLetterId,
  toDeadLetter,
  type DeadLetter,
  type DeadLetterRecord,
} from './dead-letter.ts';

/** Where the ops functions find the dead letters. */
export interface DeadLetterSource {
  readonly kafka: Kafka;
  /** The dead-letter topics (`atlas.<domain>.dlq.v1`); tests give throwaway ones. */
  readonly topics: readonly string[];
  readonly timeoutMs?: number;
}

function readOptions(source: DeadLetterSource): { groupPrefix: string; timeoutMs?: number } {
  return {
    groupPrefix: 'atlas-ops-dlq',
    ...(source.timeoutMs === undefined ? {} : { timeoutMs: source.timeoutMs }),
  };
}

/** Every dead-letter record of the topics as they are now, in topic and offset order. */
export async function listDeadLetterRecords(source: DeadLetterSource): Promise<DeadLetterRecord[]> {
  const records: DeadLetterRecord[] = [];
  await readTopicsToEnd(
    source.kafka,
    source.topics,
    async (record) => {
      records.push(record);
    },
    readOptions(source),
  );
  return records;
}

/** Every dead letter of the topics as they are now, newest failure first. */
export async function listDeadLetters(source: DeadLetterSource): Promise<DeadLetter[]> {
  return (await listDeadLetterRecords(source)).map(toDeadLetter).sort(byNewestFailure);
}

/** The record an id names, or null when the id names none of the topics' records. */
export async function findDeadLetterRecord(
  source: DeadLetterSource,
  id: string,
): Promise<DeadLetterRecord | null> {
  const where = parseDeadLetterId(id);
  if (!where || !source.topics.includes(where.topic)) return null;
  let found: DeadLetterRecord | null = null;
  await readTopicsToEnd(
    source.kafka,
    [where.topic],
    async (record) => {
      if (record.partition === where.partition && record.message.offset === where.offset)
        found = record;
    },
    readOptions(source),
  );
  return found;
}
