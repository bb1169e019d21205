import { randomUUID } from 'node:crypto';
import { databaseOn, loadStackConfig } from '@atlas/config';
import { createSql, type Sql } from './connection.ts';
import { migrate, type MigrationSet } from './migrate.ts';
import { migrationSetsOf } from './service-migrations.ts';

export interface TestDatabase {
  readonly url: string;
  readonly sql: Sql;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database on the machine's PostgreSQL for one test file, dropped afterwards,
 * so tests never share rows with each other or with a running system.
 */
export async function createTestDatabase(
  sets: readonly MigrationSet[] = migrationSetsOf('order'),
): Promise<TestDatabase> {
  const { postgres } = loadStackConfig();
  const name = `atlas_test_${randomUUID().replaceAll('-', '')}`;
  const admin = createSql(databaseOn(postgres.baseUrl, 'postgres'), {
    applicationName: 'atlas-test',
    max: 1,
  });
  await admin.unsafe(`create database ${name}`);
  const url = databaseOn(postgres.baseUrl, name);
  const sql = createSql(url, { applicationName: 'atlas-test', max: 8 });
  await migrate(sql, sets);
  return {
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
