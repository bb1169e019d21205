import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { FUNCTIONS_ROOT, catalogEntry, loadCatalog, type CatalogEntry } from '@atlas/catalog';
import { REPO_ROOT } from '../local/lib/paths.ts';
import { workspaceFolders } from './package-imports.ts';

/** A postgres.js query: `sql` or `tx` as a template tag, with or without a row type. */
const SQL_QUERY = /\b(?:sql|tx)(?:<[\s\S]*?>)?`/;

const DEFINITION_IMPORT = "import definition from './function.json' with { type: 'json' };";

/** How a function's main.ts starts it, by trigger: each passes its own function.json. */
const RUNNERS: Record<CatalogEntry['trigger']['kind'], RegExp> = {
  http: /\brun(?:Stateless)?HttpFunction\(\{\s*service: '[a-z]+',\s*name: definition\.name,\s*port: definition\.port,/,
  kafka: /\brunEventFunction\(\{\s*service: '[a-z]+',\s*definition,/,
  worker:
    /\brunRelayFunction\(\{\s*service: '[a-z]+',\s*name: definition\.name,\s*port: definition\.port\s*\}/,
};

/**
 * The functions whose main.ts is their own: the gateway serves every route of the catalog on
 * ATLAS_GATEWAY_PORT (its function.json's routes are what it proxies, not routes of its own code).
 */
const OWN_MAIN = new Set(['gateway-gateway']);

/** The one tsconfig.json of a workspace package under functions/: the repository's, over its folder. */
const TSCONFIG = { extends: '../../../tsconfig.json', include: ['.'] };

/** Where main.ts (`text`) disagrees with the function.json beside it. */
function mainDisagreements(entry: CatalogEntry, text: string): string[] {
  const problems: string[] = [];
  if (!text.includes(DEFINITION_IMPORT)) problems.push('does not import ./function.json');
  if (!RUNNERS[entry.trigger.kind].test(text))
    problems.push(`does not start a ${entry.trigger.kind} function from its definition`);
  const service = /\bservice: '([a-z]+)'/.exec(text)?.[1];
  if (service !== entry.service) problems.push(`runs as service ${String(service)}`);
  return problems;
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

/** The function's own sources: every .ts file in its folder and below, but tests and dependencies. */
function sourcesOf(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .filter((name) => !name.split(/[\\/]/).includes('node_modules'))
    .map((name) => join(directory, name));
}

// A function's files say what its function.json says (issue 14): main.ts starts it from the
// function.json beside it, as the runner of its trigger; package.json and tsconfig.json have the
// one shape (what package.json depends on: package-imports.test.ts). One shape for every service's
// internals: routes.ts and every other source of a function (a consumer's handler, its helpers)
// are thin over their service's domain package, which holds the SQL.
describe("each function's files", () => {
  const catalog = loadCatalog();

  it('main.ts starts the function from the function.json beside it, as its trigger says', () => {
    const problems: Record<string, string[]> = {};
    for (const entry of catalog.filter((each) => !OWN_MAIN.has(each.qualifiedName))) {
      const list = mainDisagreements(entry, readFileSync(entry.entryPath, 'utf8'));
      if (list.length > 0) problems[entry.qualifiedName] = list;
    }
    expect(problems).toEqual({});
  });

  it('routes.ts declares its routes from the function.json beside it', () => {
    const undeclared = catalog
      .filter((entry) => entry.trigger.kind === 'http' && !OWN_MAIN.has(entry.qualifiedName))
      .map((entry) => join(entry.directory, 'routes.ts'))
      .filter((file) => {
        const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
        return !text.includes(DEFINITION_IMPORT) || !/\bdeclaredRoute\(\s*definition,/.test(text);
      })
      .map((file) => relative(REPO_ROOT, file));
    expect(undeclared).toEqual([]);
  });

  it('package.json is named after the function and type-checks its folder', () => {
    const misnamed = catalog.flatMap((entry) => {
      const manifest = readJson(join(entry.directory, 'package.json')) as Record<string, unknown>;
      const expected = {
        name: `@atlas/fn-${entry.qualifiedName}`,
        private: true,
        type: 'module',
        scripts: { typecheck: 'tsc -p .' },
      };
      const actual = {
        name: manifest['name'],
        private: manifest['private'],
        type: manifest['type'],
        scripts: manifest['scripts'],
      };
      return JSON.stringify(actual) === JSON.stringify(expected) ? [] : [entry.qualifiedName];
    });
    expect(misnamed).toEqual([]);
  });

  it('every workspace package under functions/ has the one tsconfig.json', () => {
    const other = workspaceFolders(FUNCTIONS_ROOT)
      .filter((directory) => {
        const file = join(directory, 'tsconfig.json');
        return !existsSync(file) || JSON.stringify(readJson(file)) !== JSON.stringify(TSCONFIG);
      })
      .map((directory) => relative(REPO_ROOT, directory));
    expect(other).toEqual([]);
  });

  it('keep SQL out of every source of a function (it lives in the domain package)', () => {
    const withSql = catalog
      .flatMap((entry) => sourcesOf(entry.directory))
      .filter((file) => SQL_QUERY.test(readFileSync(file, 'utf8')))
      .map((file) => relative(REPO_ROOT, file));
    expect(withSql).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const entry = catalogEntry('order-get-order');

  it('find a main.ts of another service, without its function.json or of another trigger', () => {
    const main = readFileSync(entry.entryPath, 'utf8');
    expect(mainDisagreements(entry, main)).toEqual([]);
    expect(
      mainDisagreements(entry, main.replace("service: 'order'", "service: 'billing'")),
    ).toEqual(['runs as service billing']);
    expect(mainDisagreements(entry, main.replace(DEFINITION_IMPORT, ''))).toEqual([
      'does not import ./function.json',
    ]);
    expect(mainDisagreements({ ...entry, trigger: { kind: 'worker' } }, main)).toEqual([
      'does not start a worker function from its definition',
    ]);
  });

  it("read a function's sources in its folder and below, without its tests", () => {
    const cardProvider = catalogEntry('billing-card-provider');
    const sources = sourcesOf(cardProvider.directory).map((file) =>
      relative(cardProvider.directory, file),
    );
    expect(sources).toEqual(expect.arrayContaining(['main.ts', 'card-provider.ts', 'charges.ts']));
    expect(sources.filter((file) => file.endsWith('.test.ts'))).toEqual([]);
  });

  it('find SQL with or without a row type, and not a plain template', () => {
    expect(
      ['await sql`select 1`', 'tx<{ a: string }[]>`select a`', 'tx<\n  Row[]\n>`select`'].map(
        (text) => SQL_QUERY.test(text),
      ),
    ).toEqual([true, true, true]);
    expect(SQL_QUERY.test('const text = `sql is ${x}`; const sqlite = 1;')).toBe(false);
  });
});
