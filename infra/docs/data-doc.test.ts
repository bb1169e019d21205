import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DATA_DOCS, UnreadableMigrationError, renderDataDocs, schemaOf } from './data-doc.ts';
import { withoutTablePadding } from './markdown.ts';

const pages = renderDataDocs();

describe('docs/data/', () => {
  it('holds exactly the generated pages', () => {
    const committed = readdirSync(DATA_DOCS).filter((file) => file.endsWith('.md'));
    expect(committed.sort()).toEqual([...pages.keys()].sort());
  });

  it.each([...pages.keys()])('%s reads as the migrations say', (file) => {
    expect(withoutTablePadding(readFileSync(join(DATA_DOCS, file), 'utf8'))).toEqual(
      withoutTablePadding(pages.get(file) ?? ''),
    );
  });

  it('keeps the retention of stored command answers that the code applies', () => {
    const source = readFileSync(
      new URL('../../shared/http/src/command-outcomes.ts', import.meta.url),
      'utf8',
    );
    expect(source).toContain('const KEPT_HOURS = 25;');
    expect(pages.get('README.md')).toContain('25 h');
  });
});

describe('the migration reader', () => {
  const read = (sql: string) =>
    schemaOf([{ file: '0001_t.sql', path: 'x/0001_t.sql', sql, set: 't' }]);

  it('names unnamed constraints as PostgreSQL does', () => {
    const [table] = read(`
      create table t (
        id bigint generated always as identity primary key,
        a int not null check (a > 0),
        b text unique references other (id),
        check (a > 1),
        check (a > 0 or b is null),
        unique (a, b)
      );`).tables;
    expect(table?.constraints.map((constraint) => constraint.name)).toEqual([
      't_pkey',
      't_a_check',
      't_b_key',
      't_b_fkey',
      't_a_check1',
      't_check',
      't_a_b_key',
    ]);
    expect(table?.columns.map((column) => [column.name, column.nullable])).toEqual([
      ['id', false],
      ['a', false],
      ['b', true],
    ]);
  });

  it('follows added columns, replaced constraints and comments', () => {
    const schema = read(`
      -- What the file is for.

      -- The table.
      create table t (
        -- The key; it's a text.
        id text primary key,
        constraint t_rule check (id <> '')
      );
      alter table t add column n int;
      alter table t drop constraint t_rule;
      alter table t add constraint t_rule check (length(id) > 1);
      update t set n = 1;`);
    const [table] = schema.tables;
    expect(schema.migrations[0]?.purpose).toBe('What the file is for.');
    expect(schema.migrations[0]?.changesData).toBe(true);
    expect(table?.comment).toBe('The table.');
    expect(table?.columns[0]?.comment).toBe("The key; it's a text.");
    expect(table?.columns[1]?.addedBy).toBe('0001_t.sql');
    expect(table?.constraints.find((c) => c.name === 't_rule')?.definition).toBe('length(id) > 1');
  });

  it('refuses a statement it cannot read, so the pages never silently miss a change', () => {
    expect(() => read('create table t (id int primary key); alter table t rename to u;')).toThrow(
      UnreadableMigrationError,
    );
  });
});
