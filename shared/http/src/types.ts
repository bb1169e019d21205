import type { TransactionSql } from '@atlas/db';
import type { Logger } from '@atlas/observability';
import type { ClaimedKey, CommandOutcomes } from './command-outcomes.ts';

/** Header names are lower-case, as Node gives them. */
export type Headers = Readonly<Record<string, string | undefined>>;

/**
 * The request as every middleware and handler sees it. The adapter fills the transport part;
 * middlewares fill the rest in order (correlation → body → validation → auth → idempotency).
 */
export interface HttpEvent {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Path and query as received: the problem's `instance`. */
  readonly url: string;
  readonly headers: Headers;
  readonly rawBody: Buffer;
  readonly query: Readonly<Record<string, string | string[]>>;
  params: Readonly<Record<string, string>>;
  correlationId: string;
  traceparent?: string;
  logger: Logger;
  /** The JSON body, once parsed. */
  body?: unknown;
  /** The verified caller, once authenticated; the idempotency scope. */
  principal?: {
    readonly subject: string;
    readonly username: string;
    readonly roles: readonly string[];
  };
  /** Set by idempotency() when the key completed before: the chain answers it instead of the handler. */
  idempotentReplay?: HttpResult;
  /** The key idempotency() claimed for this command: its answer is stored with the effect. */
  idempotencyClaim?: ClaimedKey;
  /** Where committed answers are kept (the service's database); set by httpFunction. */
  commandOutcomes?: CommandOutcomes;
}

/** What a handler returns; the adapter writes it as it is, so a replay can be byte-for-byte. */
export interface HttpResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export function json(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): HttpResult {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

/** Stages a command's outcome (audit record, idempotent answer) in the transaction of its effect. */
export type StageOutcome = (tx: TransactionSql, result: HttpResult) => Promise<void>;
