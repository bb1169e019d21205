import postgres from 'postgres';

export type Sql = postgres.Sql;

declare const inTransaction: unique symbol;

/**
 * What a unit of work runs its statements on: a connection inside a transaction opened by
 * {@link transaction}. The brand keeps the pool from being passed where a transaction is due.
 */
export type TransactionSql = postgres.Sql & { readonly [inTransaction]: true };

/**
 * A postgres.js pool for one service database. Notices are dropped (migrations raise harmless
 * "already exists" notices), and every connection names its function in pg_stat_activity.
 */
export function createSql(url: string, options: { applicationName: string; max?: number }): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    connect_timeout: 5,
    // Connections stay open while the function runs: reconnecting costs more than an idle socket.
    idle_timeout: 0,
    onnotice: () => undefined,
    connection: { application_name: options.applicationName },
  });
}

/**
 * Runs `work` in one transaction on a connection of its own: commits when it resolves, rolls back
 * when it throws, and answers what it resolved to.
 *
 * Unlike postgres.js's `sql.begin`, BEGIN is not a round trip of its own: it is written together
 * with the first statement of `work` (postgres.js coalesces what is queued in one tick), so every
 * transaction costs one exchange with the server less. PostgreSQL runs them in order; a BEGIN
 * that failed would fail that first statement too, which is then what `work` sees.
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
  const begun = connection`begin`.execute();
  // Awaited below; until then a failure must not count as an unhandled rejection.
  begun.catch(() => undefined);
  try {
    const result = await work(connection as unknown as TransactionSql);
    await begun;
    await connection`commit`;
    return result;
  } catch (error) {
    // A broken connection has no transaction left to roll back; the server ends it itself.
    await connection`rollback`.catch(() => undefined);
    throw error;
  } finally {
    connection.release();
  }
}
