import { InternalError } from '@atlas/errors';

/** A command's response as stored for replay; `body` is kept byte-for-byte as the handler produced it. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The two states a key can be in. No record at all is the third: never seen, expired or abandoned. */
export type IdempotencyRecord =
  | { readonly state: 'IN_PROGRESS'; readonly fingerprint: string; readonly owner: string }
  | {
      readonly state: 'COMPLETED';
      readonly fingerprint: string;
      readonly response: StoredResponse;
    };

export function serialiseRecord(record: IdempotencyRecord): string {
  return JSON.stringify(record);
}

/** Parses a stored record; anything unexpected is an internal error, never a reason to run the command. */
export function parseRecord(raw: string): IdempotencyRecord {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new InternalError('Unreadable idempotency record', { cause: error });
  }
  if (isRecord(value)) return value;
  throw new InternalError('Unreadable idempotency record', { cause: new Error(raw.slice(0, 200)) });
}

function isRecord(value: unknown): value is IdempotencyRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (typeof record['fingerprint'] !== 'string') return false;
  if (record['state'] === 'IN_PROGRESS') return typeof record['owner'] === 'string';
  if (record['state'] !== 'COMPLETED') return false;
  const response = record['response'] as Record<string, unknown> | null | undefined;
  return (
    typeof response?.['status'] === 'number' &&
    typeof response['body'] === 'string' &&
    typeof response['headers'] === 'object' &&
    response['headers'] !== null
  );
}
