import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadCatalog } from '@atlas/catalog';
import { REPO_ROOT } from '../local/lib/paths.ts';
import {
  apiRoutes,
  createSlugger,
  githubSlug,
  headingAnchors,
  headingText,
  markdownLinks,
  npmScripts,
  routeExists,
  withoutCode,
  type CatalogRoute,
} from './doc-checks.ts';

/**
 * The Markdown of the repository, checked as files only (no stack): links and anchors resolve
 * inside the repository, and the commands and routes the operating pages name exist.
 */

const IGNORED = /^(node_modules|\.atlas|\.turbo|coverage)\//;

/**
 * Every file of the repository as a fresh clone would have it: what git tracks or would add
 * (untracked and not ignored), still on disk. Without git (an exported tree), every file on disk.
 */
function repositoryFiles(): string[] {
  const listed = spawnSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  const files =
    listed.status === 0
      ? listed.stdout.split('\0')
      : readdirSync(REPO_ROOT, { recursive: true, encoding: 'utf8' }).map((file) =>
          file.split(sep).join('/'),
        );
  return [...new Set(files)]
    .filter((file) => file !== '' && !IGNORED.test(file) && !file.includes('/node_modules/'))
    .filter((file) => existsSync(join(REPO_ROOT, file)))
    .sort();
}

const REPOSITORY = repositoryFiles();
/** Files and the folders that hold them, as repository-relative paths ('' is the root). */
const IN_CLONE = new Set([
  ...REPOSITORY,
  ...REPOSITORY.flatMap((file) =>
    file
      .split('/')
      .slice(0, -1)
      .map((_, index, parts) => parts.slice(0, index + 1).join('/')),
  ),
  '',
]);
const FILES = REPOSITORY.filter((file) => file.endsWith('.md'));
const read = (file: string): string => readFileSync(join(REPO_ROOT, file), 'utf8');

/** The pages that tell people what to run: their npm scripts and `/v1` routes must exist. */
const OPERATING_PAGE =
  /^(README\.md|docs\/OPERATIONS\.md|docs\/DEVELOPMENT\.md|docs\/runbooks\/.+\.md|docs\/demos\/.+\.md)$/;
const OPERATING_FILES = FILES.filter((file) => OPERATING_PAGE.test(file));

const anchorsOf = new Map<string, Set<string>>();
const anchors = (file: string): Set<string> => {
  let found = anchorsOf.get(file);
  if (found === undefined) {
    found = headingAnchors(read(file));
    anchorsOf.set(file, found);
  }
  return found;
};

type LinkKind = 'external' | 'anchor' | 'outside' | 'relative';

function kindOf(target: string): LinkKind {
  if (target.startsWith('#')) return 'anchor';
  if (/^file:/i.test(target) || /^[a-z]:[\\/]/i.test(target)) return 'outside';
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return 'external';
  if (target.startsWith('/') || target.startsWith('~') || isAbsolute(target)) return 'outside';
  return 'relative';
}

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

interface LinkProblems {
  readonly broken: string[];
  readonly outside: string[];
}

/** Every link of every page, sorted into broken (missing file, folder or heading) and outside the repository. */
function linkProblems(): LinkProblems {
  const broken: string[] = [];
  const outside: string[] = [];
  for (const file of FILES) {
    for (const { line, value: target } of markdownLinks(read(file))) {
      const where = `${file}:${line}`;
      const kind = kindOf(target);
      if (kind === 'external') continue;
      if (kind === 'outside') {
        outside.push(
          `${where}: ${target} (use a path relative to the page, inside the repository)`,
        );
        continue;
      }
      const hash = target.indexOf('#');
      const path = decode((hash === -1 ? target : target.slice(0, hash)).split('?')[0] ?? '');
      const fragment = hash === -1 ? undefined : decode(target.slice(hash + 1));
      const absolute =
        path === '' ? join(REPO_ROOT, file) : resolve(REPO_ROOT, dirname(file), path);
      const inRepo = relative(REPO_ROOT, absolute);
      if (inRepo.startsWith('..') || isAbsolute(inRepo)) {
        outside.push(`${where}: ${target} (leaves the repository)`);
        continue;
      }
      const targetFile = inRepo.split(sep).join('/');
      if (!existsSync(absolute)) {
        broken.push(`${where}: ${target} (no such file or folder)`);
        continue;
      }
      if (!IN_CLONE.has(targetFile)) {
        broken.push(`${where}: ${target} (exists here, but git ignores it: a clone lacks it)`);
        continue;
      }
      if (fragment !== undefined && fragment !== '' && targetFile.endsWith('.md')) {
        if (statSync(absolute).isFile() && !anchors(targetFile).has(fragment))
          broken.push(`${where}: ${target} (no heading #${fragment} in ${targetFile})`);
      }
    }
  }
  return { broken, outside };
}

const LINKS = linkProblems();

/** The catalog's HTTP routes, without the gateway's `/v1/*` catch-all. */
const CATALOG_ROUTES: CatalogRoute[] = loadCatalog().flatMap((entry) =>
  entry.trigger.kind === 'http' && entry.service !== 'gateway'
    ? entry.trigger.routes.map(({ method, path }) => ({ method, path }))
    : [],
);

describe('githubSlug and createSlugger', () => {
  it('lower-case, drop punctuation but - and _, and turn each space into -', () => {
    expect(githubSlug('The two commands')).toBe('the-two-commands');
    expect(githubSlug('What `npm start` runs')).toBe('what-npm-start-runs');
    expect(githubSlug('Is it healthy?')).toBe('is-it-healthy');
    expect(githubSlug('Starting, stopping, upgrading')).toBe('starting-stopping-upgrading');
    expect(githubSlug('1. Cluster and platform')).toBe('1-cluster-and-platform');
    expect(githubSlug('snake_case & kebab-case')).toBe('snake_case--kebab-case');
    expect(githubSlug('A — B')).toBe('a--b');
    expect(githubSlug('Récupération (v2.1)')).toBe('récupération-v21');
    expect(githubSlug('POST /v1/orders/{orderId}/cancel')).toBe('post-v1ordersorderidcancel');
  });

  it('number repeated headings -1, -2, … and never reuse a slug a heading already has', () => {
    const slug = createSlugger();
    expect(['Usage', 'Usage', 'Usage-1', 'Usage', 'Other'].map(slug)).toEqual([
      'usage',
      'usage-1',
      'usage-1-1',
      'usage-2',
      'other',
    ]);
  });

  it('take the rendered text of a heading: link text, code without its marks, no emphasis', () => {
    expect(headingText('[ADR-0018](adr/0018.md): **Node** `24` _runtime_')).toBe(
      'ADR-0018: Node 24 runtime',
    );
    expect(headingText('snake_case_name')).toBe('snake_case_name');
  });
});

describe('reading a Markdown page', () => {
  const page = [
    '# Title',
    'Intro with [a link](docs/a.md#part) and `[not a link](x.md)`.',
    '',
    '```sh',
    '[also not](y.md)',
    'npm run lint && npm test',
    'curl -s -X POST $GW/v1/orders/$ORDER/cancel',
    '```',
    '',
    '## Part',
    'Setext',
    '------',
    '## Part',
    '[a ref]: ../outside.md',
    'See [wrapped',
    'text](other.md "title") and <a href="b.md">b</a>, `GET /v1/ops/dlq?pageSize=1`,',
    'and npm start.',
  ].join('\n');

  it('blanks code out without moving lines', () => {
    const prose = withoutCode(page);
    expect(prose.split('\n')).toHaveLength(page.split('\n').length);
    expect(prose).not.toContain('not a link');
    expect(prose).not.toContain('also not');
  });

  it('finds the headings’ anchors', () => {
    expect([...headingAnchors(page)]).toEqual(['title', 'part', 'setext', 'part-1']);
  });

  it('finds links outside code, with their lines', () => {
    expect(markdownLinks(page)).toEqual([
      { line: 2, value: 'docs/a.md#part' },
      { line: 14, value: '../outside.md' },
      { line: 16, value: 'other.md' },
      { line: 16, value: 'b.md' },
    ]);
  });

  it('finds npm scripts, code blocks included', () => {
    expect(npmScripts(page)).toEqual([
      { line: 6, value: 'lint' },
      { line: 6, value: 'test' },
      { line: 17, value: 'start' },
    ]);
  });

  it('finds /v1 routes with their methods, without query strings', () => {
    expect(apiRoutes(page).map(({ line, value }) => [line, value.method, value.segments])).toEqual([
      [7, 'POST', ['orders', '$ORDER', 'cancel']],
      [16, 'GET', ['ops', 'dlq']],
    ]);
    expect(apiRoutes('`/apis/v1/namespaces/x` and the `/v1` API and /v1/… and /v1/*')).toEqual([]);
    expect(
      apiRoutes('curl $GW/v1/orders/<a confirmed orderId>/cancel http://h:8080/v1/ledger?x=1.'),
    ).toEqual([
      {
        line: 1,
        value: {
          method: undefined,
          text: '$GW/v1/orders/<a confirmed orderId>/cancel',
          segments: ['orders', '<a confirmed orderId>', 'cancel'],
        },
      },
      {
        line: 1,
        value: { method: undefined, text: 'http://h:8080/v1/ledger?x=1.', segments: ['ledger'] },
      },
    ]);
  });

  it('matches named routes to catalog routes by method, literals and parameters', () => {
    const catalog = [
      { method: 'GET', path: '/v1/orders/:orderId' },
      { method: 'POST', path: '/v1/ops/dlq/replay' },
      { method: 'POST', path: '/v1/ops/dlq/:id/replay' },
    ];
    const named = (text: string): boolean =>
      apiRoutes(text).every(({ value }) => routeExists(value, catalog)) &&
      apiRoutes(text).length === 1;
    expect(
      [
        'GET /v1/orders/{orderId}',
        'GET /v1/orders/:id',
        '/v1/orders/<orderId>',
        '/v1/orders/e5a27ee6-4a5b-4c1d-9e2f-0123456789ab',
        'POST /v1/orders/x',
        'POST /v1/ops/dlq/replay',
        'POST /v1/ops/dlq/{id}/replay',
        'POST /v1/ops/dlq/order-1-42/replay',
        'POST /v1/ops/{what}/replay',
        'GET /v1/orders/1/extra',
      ].map((text) => [text, named(text)]),
    ).toEqual([
      ['GET /v1/orders/{orderId}', true],
      ['GET /v1/orders/:id', true],
      ['/v1/orders/<orderId>', true],
      ['/v1/orders/e5a27ee6-4a5b-4c1d-9e2f-0123456789ab', true],
      ['POST /v1/orders/x', false],
      ['POST /v1/ops/dlq/replay', true],
      ['POST /v1/ops/dlq/{id}/replay', true],
      ['POST /v1/ops/dlq/order-1-42/replay', true],
      ['POST /v1/ops/{what}/replay', false],
      ['GET /v1/orders/1/extra', false],
    ]);
  });
});

describe('classifying a link target', () => {
  it('tells external links, in-page anchors, paths outside the repository and relative paths apart', () => {
    expect(
      [
        'https://example.org/x',
        'mailto:a@b.c',
        '#part',
        'file:///etc/passwd',
        '/home/user/x.md',
        '~/x.md',
        'C:\\x.md',
        '../shared/x.md',
        'docs/a.md#b',
      ].map(kindOf),
    ).toEqual([
      'external',
      'external',
      'anchor',
      'outside',
      'outside',
      'outside',
      'outside',
      'relative',
      'relative',
    ]);
  });
});

describe('the Markdown pages of the repository', () => {
  it('are found', () => {
    expect(FILES).toEqual(expect.arrayContaining(['README.md', 'docs/CONTRACT.md']));
  });

  it('link only to files and folders that exist, and to headings that exist', () => {
    expect(LINKS.broken).toEqual([]);
  });

  it('link to nothing outside the repository', () => {
    expect(LINKS.outside).toEqual([]);
  });

  it('name only npm scripts that package.json has', () => {
    const scripts = Object.keys(
      (JSON.parse(read('package.json')) as { scripts?: Record<string, string> }).scripts ?? {},
    );
    const missing = OPERATING_FILES.flatMap((file) =>
      npmScripts(read(file))
        .filter(({ value }) => !scripts.includes(value))
        .map(
          ({ line, value }) => `${file}:${line}: npm run ${value} (no such script in package.json)`,
        ),
    );
    expect(missing).toEqual([]);
  });

  it('name only /v1 routes that the catalog serves', () => {
    expect(CATALOG_ROUTES.length).toBeGreaterThan(0);
    const unknown = OPERATING_FILES.flatMap((file) =>
      apiRoutes(read(file))
        .filter(({ value }) => !routeExists(value, CATALOG_ROUTES))
        .map(
          ({ line, value }) =>
            `${file}:${line}: ${value.method === undefined ? '' : `${value.method} `}${value.text} (no such route in the catalog)`,
        ),
    );
    expect(unknown).toEqual([]);
  });
});
