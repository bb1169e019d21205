import postgres from 'postgres';

export type Sql = postgres.Sql;

declare const inTransaction: unique symbol;

/**
 * What a unit of work runs its statements on: a connection inside a transaction opened by
 * {@link transaction}. The brand keeps the pool from being passed where a transaction is due.
 */
export type TransactionSql = postgres.Sql & { readonly [inTransaction]: true };

/**
 * libpq's way to name a Unix socket, `postgres://user@host:port/db?host=/var/run/postgresql`, which
 * postgres.js does not read: the socket file is `<dir>/.s.PGSQL.<port>`, the rest of the URL stays.
 */
export function socketOf(url: string): { url: string; socketPath?: string } {
  const parsed = new URL(url);
  const directory = parsed.searchParams.get('host');
  if (!directory?.startsWith('/')) return { url };
  parsed.searchParams.delete('host');
  return {
    url: parsed.toString(),
    socketPath: `${directory}/.s.PGSQL.${parsed.port || '5432'}`,
  };
}

/**
 * A postgres.js pool for one service database. Notices are dropped (migrations raise harmless
 * "already exists" notices), and every connection names its function in pg_stat_activity. A URL
 * with `?host=/dir` connects by the Unix socket in that directory ({@link socketOf}).
 */
export function createSql(url: string, options: { applicationName: string; max?: number }): Sql {
  const { url: serverUrl, socketPath } = socketOf(url);
  return postgres(serverUrl, {
    ...(socketPath === undefined ? {} : { path: socketPath }),
    max: options.max ?? 10,
    connect_timeout: 5,
    // Connections stay open while the function runs: reconnecting costs more than an idle socket.
    idle_timeout: 0,
    onnotice: () => undefined,
    connection: { application_name: options.applicationName },
  });
}

/** Statements sent inside a transaction whose answers are read only at its commit. */
const stagedByTransaction = new WeakMap<object, Promise<unknown>[]>();

/** A statement built on a transaction, not yet sent (postgres.js sends it on `execute()` or `await`). */
export interface UnsentStatement {
  execute(): Promise<unknown>;
}

/**
 * Sends `statement` now and lets the transaction go on without waiting for its answer: it travels
 * with whatever is sent next (in the end with COMMIT), so a write whose result nobody reads costs
 * no round trip of its own. PostgreSQL still runs it in order, and if it fails the transaction is
 * aborted there: COMMIT then answers ROLLBACK and {@link transaction} throws the statement's error.
 * Use it for inserts the work does not read back (the outbox row, the inbox row).
 */
export function stage(tx: TransactionSql, statement: UnsentStatement): Promise<void> {
  const staged = stagedByTransaction.get(tx);
  if (!staged) return statement.execute().then(() => undefined);
  const sent = statement.execute();
  // Read at commit; until then a failure must not count as an unhandled rejection.
  sent.catch(() => undefined);
  staged.push(sent);
  return Promise.resolve();
}

/** PostgreSQL's "current transaction is aborted, commands ignored until end of transaction block". */
const IN_FAILED_TRANSACTION = '25P02';

/**
 * When `work` failed only because an earlier staged statement had already aborted the
 * transaction, that statement's error is the one that explains it (a unique violation, say, rather
 * than "current transaction is aborted"). Every staged statement was sent before the ROLLBACK, so
 * all have settled by now.
 */
async function causeOfAbort(error: unknown, staged: readonly Promise<unknown>[]): Promise<unknown> {
  if ((error as { code?: unknown } | null)?.code !== IN_FAILED_TRANSACTION) return undefined;
  return (await firstFailure(staged))?.reason;
}

/** The first staged statement that failed, once every one has answered. */
async function firstFailure(
  staged: readonly Promise<unknown>[],
): Promise<PromiseRejectedResult | undefined> {
  return (await Promise.allSettled(staged)).find(
    (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
  );
}

/**
 * Runs `work` in one transaction on a connection of its own: commits when it resolves, rolls back
 * when it throws, and answers what it resolved to.
 *
 * Unlike postgres.js's `sql.begin`, BEGIN is not a round trip of its own: it is written together
 * with the first statement of `work` (postgres.js coalesces what is queued in one tick), so every
 * transaction costs one exchange with the server less. PostgreSQL runs them in order; a BEGIN
 * that failed would fail that first statement too, which is then what `work` sees. Statements
 * {@link stage}d by `work` travel with the COMMIT the same way.
 *
 * @example
 * const applied = await transaction(sql, async (tx) => {
 *   await tx`update orders set status = 'PAID' where id = ${orderId}`;
 *   await appendEvent(tx, createEvent('PaymentSucceeded', payload, context));
 * });
 */
export async function transaction<T>(
  sql: Sql,
  work: (tx: TransactionSql) => Promise<T>,
): Promise<T> {
  const connection = await sql.reserve();
  const tx = connection as unknown as TransactionSql;
  const staged: Promise<unknown>[] = [];
  stagedByTransaction.set(tx, staged);
  const begun = connection`begin`.execute();
  // Awaited below; until then a failure must not count as an unhandled rejection.
  begun.catch(() => undefined);
  try {
    const result = await work(tx);
    await begun;
    const committed = connection`commit`.execute();
    committed.catch(() => undefined);
    const failed = await firstFailure(staged);
    // After a failed staged statement the server aborted the transaction and COMMIT answered
    // ROLLBACK: nothing was written, and the statement's error is the one to report.
    if (failed) throw failed.reason;
    await committed;
    return result;
  } catch (error) {
    // A broken connection has no transaction left to roll back; the server ends it itself.
    await connection`rollback`.catch(() => undefined);
    throw (await causeOfAbort(error, staged)) ?? error;
  } finally {
    stagedByTransaction.delete(tx);
    connection.release();
  }
}
