import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadStackConfig } from '@atlas/config';
import { createSql, migrate, MigrationError, migrationSetsOf, type Sql } from './index.ts';

const { postgres } = loadStackConfig();
const database = `atlas_test_${randomUUID().replaceAll('-', '')}`;
const admin = createSql(`${postgres.baseUrl}/postgres`, { applicationName: 'atlas-test', max: 1 });
let sql: Sql;

function migrationFolder(files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'atlas-migrations-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

describe('migrate', () => {
  beforeAll(async () => {
    await admin.unsafe(`create database ${database}`);
    sql = createSql(`${postgres.baseUrl}/${database}`, { applicationName: 'atlas-test', max: 4 });
  });

  afterAll(async () => {
    await sql.end();
    await admin.unsafe(`drop database if exists ${database} with (force)`);
    await admin.end();
  });

  it('creates the outbox and inbox on a fresh database and does nothing the second time', async () => {
    const sets = migrationSetsOf('order');

    const first = await migrate(sql, sets);
    const second = await migrate(sql, sets);

    expect(first.map((m) => `${m.set}/${m.version}`)).toContain('platform/0001');
    expect(second).toEqual([]);
    const tables = await sql<{ name: string }[]>`
      select table_name as name from information_schema.tables where table_schema = 'public' order by 1`;
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['atlas_inbox', 'atlas_outbox', 'atlas_schema_migrations']),
    );
  });

  it('applies each file once when several processes migrate at the same time', async () => {
    const directory = migrationFolder({
      '0001_counter.sql': 'create table concurrent_probe (id int primary key);',
    });
    const sets = [{ name: `concurrent-${randomUUID()}`, directory }];

    const results = await Promise.all([migrate(sql, sets), migrate(sql, sets), migrate(sql, sets)]);

    expect(results.map((applied) => applied.length).sort()).toEqual([0, 0, 1]);
  });

  it('refuses a migration whose text changed after it was applied', async () => {
    const name = `edited-${randomUUID()}`;
    const directory = migrationFolder({ '0001_edited.sql': 'create table edited_probe (id int);' });
    await migrate(sql, [{ name, directory }]);
    writeFileSync(join(directory, '0001_edited.sql'), 'create table edited_probe (id bigint);');

    await expect(migrate(sql, [{ name, directory }])).rejects.toThrow(MigrationError);
    await expect(migrate(sql, [{ name, directory }])).rejects.toThrow(
      /changed after it was applied/,
    );
  });

  it('leaves the database as it was when a file fails', async () => {
    const name = `failing-${randomUUID()}`;
    const directory = migrationFolder({
      '0001_good.sql': 'create table failing_probe_good (id int);',
      '0002_bad.sql': 'create table failing_probe_bad (id int); select no_such_function();',
    });

    await expect(migrate(sql, [{ name, directory }])).rejects.toThrow(/no_such_function/);

    const [row] = await sql<{ count: number }[]>`
      select count(*)::int as count from information_schema.tables where table_name like 'failing_probe%'`;
    expect(row?.count).toBe(0);
  });

  it('rejects a file that does not follow the naming rule', async () => {
    const directory = migrationFolder({ 'create-things.sql': 'select 1;' });
    await expect(migrate(sql, [{ name: 'badly-named', directory }])).rejects.toThrow(
      /NNNN_lower_snake_case/,
    );
  });
});
