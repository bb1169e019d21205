import { IdempotencyInFlightError } from '@atlas/errors';
import type { Sql, TransactionSql } from '@atlas/db';
import type { HttpResult } from './types.ts';

/** An Idempotency-Key as the idempotency step claimed it. */
export interface ClaimedKey {
  readonly scope: string;
  readonly route: string;
  readonly key: string;
  readonly fingerprint: string;
}

export interface CommittedOutcome {
  readonly fingerprint: string;
  readonly response: HttpResult;
}

/**
 * The durable half of Idempotency-Key handling (ADR-0033): the answer of a command is stored in
 * the transaction of its effect, so a retry after a crash between that commit and Redis finds it.
 */
export interface CommandOutcomes {
  find(claim: ClaimedKey): Promise<CommittedOutcome | undefined>;
  stage(tx: TransactionSql, claim: ClaimedKey, response: HttpResult): Promise<void>;
}

/** Keys are kept 24 h (contract §3); an hour of slack so a retry at the edge still replays. */
const KEPT_HOURS = 25;

const UNIQUE_VIOLATION = '23505';

/** `CommandOutcomes` in the service's own database (`atlas_command_outcomes`, migration 0003). */
export function sqlCommandOutcomes(sql: Sql): CommandOutcomes {
  return {
    async find({ scope, route, key }) {
      const [row] = await sql<
        { fingerprint: string; status: number; headers: Record<string, string>; body: string }[]
      >`
        select fingerprint, status, headers, body from atlas_command_outcomes
        where scope = ${scope} and route = ${route} and idempotency_key = ${key}
          and created_at > clock_timestamp() - make_interval(hours => ${KEPT_HOURS})`;
      return row
        ? {
            fingerprint: row.fingerprint,
            response: { status: row.status, headers: row.headers, body: row.body },
          }
        : undefined;
    },
    async stage(tx, { scope, route, key, fingerprint }, response) {
      try {
        await tx`
          insert into atlas_command_outcomes
            (scope, route, idempotency_key, fingerprint, status, headers, body)
          values (${scope}, ${route}, ${key}, ${fingerprint}, ${response.status},
            ${tx.json(response.headers)}, ${response.body})`;
      } catch (error) {
        // The same key committed meanwhile (a first attempt slower than the in-flight expiry):
        // this attempt's effect rolls back with the insert, and the retry will replay the first.
        if ((error as { code?: string }).code === UNIQUE_VIOLATION)
          throw new IdempotencyInFlightError(
            'A request with this Idempotency-Key completed meanwhile; send it again to get its answer.',
            { cause: error },
          );
        throw error;
      }
    },
  };
}

/** Forgets answers older than the contract's 24 h; run now and then by each command function. */
export async function forgetOldOutcomes(sql: Sql): Promise<number> {
  const gone = await sql`
    delete from atlas_command_outcomes
    where created_at < clock_timestamp() - make_interval(hours => ${KEPT_HOURS})`;
  return gone.count;
}
