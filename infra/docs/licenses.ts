import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSIONS } from '../local/versions.ts';

export const LICENSES_DOC = fileURLToPath(
  new URL('../../docs/COST_AND_LICENSING.md', import.meta.url),
);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Licences any package may carry without a review: permissive, no copyleft, no field-of-use limit. */
export const ALLOWED_LICENCES: readonly string[] = [
  'MIT',
  'ISC',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'BlueOak-1.0.0',
  'CC0-1.0',
  'Python-2.0',
  'Unlicense',
];

/**
 * Packages whose licence is outside the allow-list but was reviewed and accepted, each for as long
 * as it stays a dev-only package under exactly this licence expression: a new version that changes
 * the licence, or a runtime dependency on it, needs a new review.
 */
export const REVIEWED_EXCEPTIONS: readonly {
  readonly name: string;
  readonly licence: string;
  readonly why: string;
}[] = [
  {
    name: 'caniuse-lite',
    licence: 'CC-BY-4.0',
    why: "browser-support data read by Babel's browserslist inside Jest; an attribution licence for data, never part of a function's bundle",
  },
  {
    name: 'pako',
    licence: 'MIT AND Zlib',
    why: 'zlib port under MIT and the zlib licence (permissive, OSI-approved); reached only through autocannon, the HTTP benchmark',
  },
];

export type Scope = 'runtime' | 'dev';

/** One third-party npm package version of the lockfile, as the page lists it. */
export interface NpmPackage {
  readonly name: string;
  readonly version: string;
  /** The SPDX expression, outer parentheses removed; `UNKNOWN` when nothing states one. */
  readonly licence: string;
  /** Where the licence was read when the lockfile does not carry it. */
  readonly licenceFrom: 'lockfile' | 'package.json' | 'LICENSE file';
  /** Named in a `package.json` of the repository (root or a workspace). */
  readonly direct: boolean;
  readonly scope: Scope;
  /** An optional dependency: platform binaries, of which npm installs only the machine's own. */
  readonly optional: boolean;
}

interface LockEntry {
  readonly name?: string;
  readonly version?: string;
  readonly license?: unknown;
  readonly link?: boolean;
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly devOptional?: boolean;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

const NODE_MODULES = 'node_modules/';

function withoutOuterParentheses(expression: string): string {
  let text = expression.trim();
  while (text.startsWith('(') && text.endsWith(')')) {
    let depth = 0;
    let wrapsAll = true;
    for (let index = 0; index < text.length; index += 1) {
      if (text[index] === '(') depth += 1;
      if (text[index] === ')') depth -= 1;
      if (depth === 0 && index < text.length - 1) wrapsAll = false;
    }
    if (!wrapsAll) break;
    text = text.slice(1, -1).trim();
  }
  return text;
}

/** `license` as package.json files write it: an SPDX string, or the old `{ type }` and `licenses` forms. */
function licenceOfManifest(manifest: Readonly<Record<string, unknown>>): string | undefined {
  const typeOf = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && value !== null && 'type' in value) {
      const type = value.type;
      return typeof type === 'string' ? type : undefined;
    }
    return undefined;
  };
  const single = typeOf(manifest['license']);
  if (single) return single;
  const several = manifest['licenses'];
  if (!Array.isArray(several)) return undefined;
  const types = several.map(typeOf).filter((type): type is string => type !== undefined);
  return types.length > 0 ? types.join(' OR ') : undefined;
}

// The lockfile omits the licence of a package whose package.json has none; its LICENSE file then
// is the only statement, and these openings identify the common ones unambiguously.
const LICENSE_FILE_OPENINGS: readonly [RegExp, string][] = [
  [/^\s*(the\s+)?mit\s+license/i, 'MIT'],
  [/^\s*(the\s+)?isc\s+license/i, 'ISC'],
  [/^\s*apache\s+license\s+version\s+2\.0/i, 'Apache-2.0'],
];

function licenceOfInstalled(
  root: string,
  path: string,
): { licence: string; from: NpmPackage['licenceFrom'] } | undefined {
  const folder = join(root, path);
  const manifestPath = join(folder, 'package.json');
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
    const licence = licenceOfManifest(manifest);
    if (licence) return { licence, from: 'package.json' };
  }
  for (const file of ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'LICENCE']) {
    const licensePath = join(folder, file);
    if (!existsSync(licensePath)) continue;
    const opening = readFileSync(licensePath, 'utf8').replace(/\s+/g, ' ');
    const known = LICENSE_FILE_OPENINGS.find(([pattern]) => pattern.test(opening));
    if (known) return { licence: known[1], from: 'LICENSE file' };
  }
  return undefined;
}

const nameOf = (path: string, entry: LockEntry): string =>
  entry.name ?? path.slice(path.lastIndexOf(NODE_MODULES) + NODE_MODULES.length);

/** The lockfile paths that the root's and the workspaces' own `package.json` files resolve to. */
function directPaths(packages: Readonly<Record<string, LockEntry>>): Set<string> {
  const direct = new Set<string>();
  for (const [owner, entry] of Object.entries(packages)) {
    if (owner !== '' && owner.includes(NODE_MODULES)) continue;
    const declared = [
      entry.dependencies,
      entry.devDependencies,
      entry.optionalDependencies,
      entry.peerDependencies,
    ].flatMap((deps) => Object.keys(deps ?? {}));
    for (const name of declared) {
      // Node's resolution from the workspace folder: its own node_modules first, then the root's.
      const candidates =
        owner === ''
          ? [`${NODE_MODULES}${name}`]
          : [`${owner}/${NODE_MODULES}${name}`, `${NODE_MODULES}${name}`];
      const found = candidates.find((candidate) => packages[candidate] !== undefined);
      if (found) direct.add(found);
    }
  }
  return direct;
}

/**
 * Every third-party package of `package-lock.json` (all platforms' optional binaries included, so
 * the page reads the same on every machine), one entry per name and version. A licence the
 * lockfile lacks is read from the installed `node_modules` copy.
 */
export function readNpmPackages(root: string = REPO_ROOT): NpmPackage[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const direct = directPaths(lock.packages);
  const byKey = new Map<string, NpmPackage>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    // Workspace folders and their links are this repository's own code.
    if (!path.includes(NODE_MODULES) || entry.link === true) continue;
    const name = nameOf(path, entry);
    const version = entry.version ?? '0.0.0';
    const fromLock = licenceOfManifest(entry as Record<string, unknown>);
    const found = fromLock
      ? { licence: fromLock, from: 'lockfile' as const }
      : licenceOfInstalled(root, path);
    const listed: NpmPackage = {
      name,
      version,
      licence: found ? withoutOuterParentheses(found.licence) : 'UNKNOWN',
      licenceFrom: found?.from ?? 'lockfile',
      direct: direct.has(path),
      scope: entry.dev === true ? 'dev' : 'runtime',
      optional: entry.optional === true || entry.devOptional === true,
    };
    const key = `${name}@${version}`;
    const earlier = byKey.get(key);
    byKey.set(
      key,
      earlier
        ? {
            ...earlier,
            direct: earlier.direct || listed.direct,
            scope: earlier.scope === 'runtime' || listed.scope === 'runtime' ? 'runtime' : 'dev',
            optional: earlier.optional && listed.optional,
          }
        : listed,
    );
  }
  return [...byKey.values()].sort(
    (a, b) => compareText(a.name, b.name) || compareText(a.version, b.version),
  );
}

// Locale-independent, so the page is the same whatever the machine's locale.
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Whether an SPDX expression is acceptable under the allow-list: `A OR B` when either is,
 * `A AND B` when both are (the user must honour both, and both are permissive), `WITH` never.
 */
export function isAllowedLicence(
  expression: string,
  allowed: readonly string[] = ALLOWED_LICENCES,
): boolean {
  const tokens = expression.match(/\(|\)|[^\s()]+/g) ?? [];
  let position = 0;
  const peek = (): string | undefined => tokens[position];
  const parseOr = (): boolean => {
    let result = parseAnd();
    while (peek()?.toUpperCase() === 'OR') {
      position += 1;
      const right = parseAnd();
      result = result || right;
    }
    return result;
  };
  const parseAnd = (): boolean => {
    let result = parseAtom();
    while (peek()?.toUpperCase() === 'AND') {
      position += 1;
      const right = parseAtom();
      result = result && right;
    }
    return result;
  };
  const parseAtom = (): boolean => {
    const token = tokens[position];
    position += 1;
    if (token === '(') {
      const inner = parseOr();
      if (tokens[position] !== ')') return false;
      position += 1;
      return inner;
    }
    if (token === undefined || token === ')') return false;
    if (peek()?.toUpperCase() === 'WITH') {
      position += 2;
      return false;
    }
    return allowed.includes(token);
  };
  const result = parseOr();
  return result && position === tokens.length;
}

const isReviewed = (pkg: NpmPackage): boolean =>
  pkg.scope === 'dev' &&
  REVIEWED_EXCEPTIONS.some(
    (exception) => exception.name === pkg.name && exception.licence === pkg.licence,
  );

/** Packages whose licence is neither allowed nor a reviewed exception. */
export function licenceOffenders(packages: readonly NpmPackage[]): NpmPackage[] {
  return packages.filter((pkg) => !isAllowedLicence(pkg.licence) && !isReviewed(pkg));
}

/** Reviewed exceptions that no longer match any package: they should be removed. */
export function unusedExceptions(packages: readonly NpmPackage[]): string[] {
  return REVIEWED_EXCEPTIONS.filter(
    (exception) =>
      !packages.some((pkg) => pkg.name === exception.name && pkg.licence === exception.licence),
  ).map((exception) => `${exception.name} (${exception.licence})`);
}

interface Component {
  readonly name: string;
  readonly version: string;
  readonly licence: string;
  readonly arrives: string;
}

// Versions come from infra/local/versions.ts, the one place they are pinned, so a bump shows here.
function downloaded(nodeVersion: string): readonly Component[] {
  return [
    {
      name: 'Apache Kafka (broker and KRaft controller)',
      version: VERSIONS.kafka,
      licence: 'Apache-2.0',
      arrives:
        "jars from Maven Central, resolved by `infra/local/kafka/pom.xml` (the broker alone: no Connect, Streams or tools); its transitive jars are under permissive licences, as listed in Kafka's own LICENSE-binary",
    },
    {
      name: "Apache Log4j 2 (Kafka's logging)",
      version: VERSIONS.log4j,
      licence: 'Apache-2.0',
      arrives: 'Maven Central, with Kafka',
    },
    {
      name: 'SLF4J API',
      version: VERSIONS.slf4j,
      licence: 'MIT',
      arrives: 'Maven Central, with Kafka',
    },
    {
      name: 'Apicurio Registry (schema registry)',
      version: VERSIONS.apicurio,
      licence: 'Apache-2.0',
      arrives:
        "the `all` tar.gz from Maven Central ([ADR-0019](adr/0019-apicurio-schema-registry.md)); chosen over Confluent's registry, whose Community License is not open source",
    },
    {
      name: 'Keycloak (identity provider)',
      version: VERSIONS.keycloak,
      licence: 'Apache-2.0',
      arrives: 'the Quarkus distribution tar.gz from Maven Central',
    },
    {
      name: 'Zipkin (trace backend, local only)',
      version: VERSIONS.zipkin,
      licence: 'Apache-2.0',
      arrives:
        'the `exec` jar of `io.zipkin:zipkin-server` from Maven Central, spans in memory ([ADR-0039](adr/0039-one-trace-per-order.md)); `ATLAS_TRACING=off` skips it',
    },
    {
      name: 'Node.js runtime',
      version: nodeVersion,
      licence: 'MIT',
      arrives:
        'the `node` npm package (a dev dependency, ADR-0018) fetches the platform binary (`node-<os>-<arch>`) from the npm registry in its install script; not itself a lockfile entry',
    },
  ];
}

const MACHINE: readonly Component[] = [
  {
    name: 'PostgreSQL',
    version: '15 or later (15.20 on the reference machine)',
    licence: 'PostgreSQL',
    arrives:
      "the machine's server; `npm start` installs the Debian package `postgresql` with apt-get only where none answers",
  },
  {
    name: 'Redis',
    version:
      '7.0.15 on the reference machine (Debian 12 package `redis-server` 5:7.0.15-1~deb12u10)',
    licence: 'BSD-3-Clause',
    arrives:
      "the machine's server; `npm start` installs the Debian package `redis-server` with apt-get only where none answers",
  },
  {
    name: 'Java runtime (JDK 17+ for Kafka, 21+ for Keycloak and Apicurio)',
    version: "the machine's",
    licence: 'GPL-2.0-only WITH Classpath-exception-2.0 (OpenJDK builds such as Temurin)',
    arrives: 'a prerequisite; the Classpath Exception leaves the programs it runs unaffected',
  },
  {
    name: 'Apache Maven',
    version: '3',
    licence: 'Apache-2.0',
    arrives: 'a prerequisite; only downloads the jars and archives above into `~/.m2`',
  },
];

const cell = (text: string): string => text.replaceAll('|', '\\|');

function componentTable(components: readonly Component[]): string[] {
  return [
    '| component | version | licence | how it arrives |',
    '| --- | --- | --- | --- |',
    ...components.map(
      (component) =>
        `| ${cell(component.name)} | ${cell(component.version)} | ${cell(component.licence)} | ${cell(component.arrives)} |`,
    ),
  ];
}

function packageRow(pkg: NpmPackage): string {
  const scope = pkg.optional ? `${pkg.scope}, optional` : pkg.scope;
  const from = pkg.licenceFrom === 'lockfile' ? '' : ` (licence from its ${pkg.licenceFrom})`;
  return `| \`${pkg.name}\` | ${pkg.version} | ${pkg.direct ? 'direct' : 'transitive'} | ${scope}${from} |`;
}

/** `docs/COST_AND_LICENSING.md` as the lockfile says it must read. */
export function renderLicensesDoc(packages: readonly NpmPackage[] = readNpmPackages()): string {
  const byLicence = new Map<string, NpmPackage[]>();
  for (const pkg of packages)
    byLicence.set(pkg.licence, [...(byLicence.get(pkg.licence) ?? []), pkg]);
  const licences = [...byLicence.keys()].sort(
    (a, b) =>
      (byLicence.get(b)?.length ?? 0) - (byLicence.get(a)?.length ?? 0) || compareText(a, b),
  );
  const count = (list: readonly NpmPackage[], test: (pkg: NpmPackage) => boolean): number =>
    list.filter(test).length;
  const status = (licence: string, list: readonly NpmPackage[]): string => {
    if (isAllowedLicence(licence)) return 'allowed';
    return list.every(isReviewed) ? 'reviewed exception' : '**not allowed**';
  };
  const summary = licences.map((licence) => {
    const list = byLicence.get(licence) ?? [];
    return `| ${licence} | ${list.length} | ${count(list, (pkg) => pkg.scope === 'runtime')} | ${count(list, (pkg) => pkg.scope === 'dev')} | ${count(list, (pkg) => pkg.direct)} | ${status(licence, list)} |`;
  });
  const sections = licences.flatMap((licence) => {
    const list = byLicence.get(licence) ?? [];
    return [
      '',
      `### ${licence} (${list.length})`,
      '',
      '| package | version | direct or transitive | runtime or dev |',
      '| --- | --- | --- | --- |',
      ...list.map(packageRow),
    ];
  });
  const runtime = count(packages, (pkg) => pkg.scope === 'runtime');
  return [
    '# Cost and licensing',
    '',
    'What Atlas ERP costs to run and under which licences its parts come. The npm part is generated',
    'from `package-lock.json` by `infra/docs/licenses.ts` (`npm run docs:generate`); a test fails',
    'while this page and the lockfile disagree, and whenever a package carries a licence outside',
    'the allow-list below.',
    '',
    '## Cost',
    '',
    'Everything Atlas ERP runs is open source and free of licence fees: the code of this repository',
    '(Apache-2.0), every npm package, and every server the stack downloads or uses (for Redis, see',
    'the note on its versions below). No paid service,',
    'subscription, cloud account or API key is needed, locally or in the cluster manifests',
    '(`k8s/generated/`). The running cost is the machine: about 1.5 GiB of memory for the running',
    'stack and 1 GiB of disk for the downloads (see the [README](../README.md)), plus whatever a',
    'cluster that runs the images costs its owner.',
    '',
    '## What the stack downloads besides npm',
    '',
    'Fetched by `npm start` (versions pinned in `infra/local/versions.ts`):',
    '',
    ...componentTable(
      downloaded(packages.find((pkg) => pkg.name === 'node' && pkg.direct)?.version ?? 'unknown'),
    ),
    '',
    'Used where the machine has them (the prerequisites of the [README](../README.md)):',
    '',
    ...componentTable(MACHINE),
    '',
    'Redis changed licence after 7.2: 7.2 and earlier are BSD-3-Clause; 7.4 is RSALv2 or SSPLv1',
    '(source-available, not open source); 8.0 and later add AGPLv3 as a third choice. The Redis',
    'installed on the reference machine is **7.0.15, BSD-3-Clause**, which is what Debian 12',
    'installs. A machine that brings Redis 7.4 or later runs it under those other terms (still no fee',
    'for this use); a BSD-licensed server (Redis ≤ 7.2, or its fork Valkey) keeps the stack',
    'entirely under open-source licences.',
    '',
    '## npm packages',
    '',
    `${packages.length} third-party package versions: ${runtime} runtime, ${packages.length - runtime} dev.`,
    "Every entry of the lockfile is here except this repository's own workspaces; the optional",
    'platform binaries (esbuild, SWC, turbo, …) of every platform are listed, though npm installs',
    "only the machine's own. _Direct_: named in the `package.json` of the root or a workspace.",
    "_Runtime_: reachable from some `dependencies` entry (npm's own classification in the",
    'lockfile); _dev_: only from `devDependencies`.',
    '',
    `Allowed licences: ${ALLOWED_LICENCES.join(', ')}.`,
    'An expression `A OR B` is allowed when one of them is, `A AND B` when both are.',
    '',
    '| licence | packages | runtime | dev | direct | status |',
    '| --- | --- | --- | --- | --- | --- |',
    ...summary,
    '',
    'Reviewed exceptions (allowed while dev-only and under exactly this licence):',
    '',
    '| package | licence | why it is acceptable |',
    '| --- | --- | --- |',
    ...REVIEWED_EXCEPTIONS.map(
      (exception) => `| \`${exception.name}\` | ${exception.licence} | ${cell(exception.why)} |`,
    ),
    ...sections,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(LICENSES_DOC, renderLicensesDoc());
  console.log('wrote docs/COST_AND_LICENSING.md');
}
