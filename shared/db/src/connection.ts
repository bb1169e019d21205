import postgres from 'postgres';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

/**
 * A postgres.js pool for one service database. Notices are dropped (migrations raise harmless
 * "already exists" notices), and every connection names its function in pg_stat_activity.
 */
export function createSql(url: string, options: { applicationName: string; max?: number }): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    connect_timeout: 5,
    idle_timeout: 30,
    onnotice: () => undefined,
    connection: { application_name: options.applicationName },
  });
}
