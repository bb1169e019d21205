import { loadStackConfig, serviceNames, type ServiceName } from '@atlas/config';
import type { PendingQuery, Row } from 'postgres';
import { createSql, type Sql } from '@atlas/db';

/** One connection pool per service database: the checker reads all five, as nobody else may. */
export type ServiceDatabases = Readonly<Record<ServiceName, Sql>>;

export interface ConnectedDatabases {
  readonly databases: ServiceDatabases;
  close(): Promise<void>;
}

/** Connects to the running system's five databases (`atlas_order`, …). */
export function connectServiceDatabases(env = process.env): ConnectedDatabases {
  const { postgres } = loadStackConfig(env);
  const databases = Object.fromEntries(
    serviceNames.map((service) => [
      service,
      createSql(postgres.databaseUrl(service), {
        applicationName: 'atlas-invariants',
        max: 2,
      }),
    ]),
  ) as Record<ServiceName, Sql>;
  return {
    databases,
    async close() {
      await Promise.all(Object.values(databases).map((sql) => sql.end({ timeout: 5 })));
    },
  };
}

/**
 * `values` as a `text[]` expression, sent as one JSON parameter. Not `sql.array`: postgres.js
 * serialises it with the array types a connection loads when it opens, and a query that runs
 * before that sends a one-element array as a bare string ("malformed array literal").
 */
export function textArray(sql: Sql, values: readonly string[]): PendingQuery<Row[]> {
  return sql`array(select jsonb_array_elements_text(${JSON.stringify(values)}::text::jsonb))`;
}
