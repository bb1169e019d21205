import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadCatalog } from '@atlas/catalog';
import { REPO_ROOT } from '../local/lib/paths.ts';

/** A postgres.js query: `sql` or `tx` as a template tag, with or without a row type. */
const SQL_QUERY = /\b(?:sql|tx)(?:<[\s\S]*?>)?`/;

// One shape for every service's internals (issue 14): a function's routes.ts is a thin handler
// over its service's domain package, which holds the SQL (`*-store.ts`).
describe("each function's files", () => {
  const catalog = loadCatalog();

  it('keep SQL out of routes.ts (it lives in the domain package)', () => {
    const withSql = catalog
      .map((entry) => join(entry.directory, 'routes.ts'))
      .filter((file) => existsSync(file) && SQL_QUERY.test(readFileSync(file, 'utf8')))
      .map((file) => relative(REPO_ROOT, file));
    expect(withSql).toEqual([]);
  });
});

describe('the SQL detector', () => {
  it('finds a query with or without a row type, and not a plain template', () => {
    expect(
      ['await sql`select 1`', 'tx<{ a: string }[]>`select a`', 'tx<\n  Row[]\n>`select`'].map(
        (text) => SQL_QUERY.test(text),
      ),
    ).toEqual([true, true, true]);
    expect(SQL_QUERY.test('const text = `sql is ${x}`; const sqlite = 1;')).toBe(false);
  });
});
