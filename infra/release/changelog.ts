import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run changelog`: the root CHANGELOG.md, generated from `git log`. Every non-merge commit
 * reachable from HEAD, under a heading per day (the committer date, newest first), grouped by its
 * Conventional Commit type (ADR-0011). The file records the commit it was generated at, so
 * `--check` regenerates up to that commit and compares: it fails on a hand edit or a rewritten
 * history, never merely because commits landed since (docs/RELEASE.md).
 *
 *   node infra/release/changelog.ts > CHANGELOG.md   regenerate (what npm run changelog does)
 *   node infra/release/changelog.ts --check          exit 1 unless CHANGELOG.md is what it generates
 */

export interface Commit {
  /** The full 40-character hash. */
  readonly hash: string;
  /** `YYYY-MM-DD`, the committer date in the committer's time zone (`git log --format=%cs`). */
  readonly date: string;
  readonly subject: string;
  readonly body: string;
}

export interface ParsedSubject {
  /** The Conventional Commit type, lower-cased; undefined when the subject does not follow the form. */
  readonly type: string | undefined;
  readonly scope: string | undefined;
  /** `!` before the colon, or a `BREAKING CHANGE:` footer in the body. */
  readonly breaking: boolean;
  readonly description: string;
}

export interface Entry extends ParsedSubject {
  /** The first 7 characters of the hash: fixed, so old entries never change as the history grows. */
  readonly shortHash: string;
}

export interface TypeGroup {
  /** The Conventional Commit type, or `other` for subjects that do not follow the form. */
  readonly type: string;
  readonly title: string;
  readonly entries: readonly Entry[];
}

export interface DaySection {
  readonly date: string;
  readonly groups: readonly TypeGroup[];
}

/** The section titles, in the order they appear under a day. Types not listed come after, by name. */
export const TYPE_TITLES: ReadonlyMap<string, string> = new Map([
  ['feat', 'Features'],
  ['fix', 'Fixes'],
  ['perf', 'Performance'],
  ['refactor', 'Refactoring'],
  ['docs', 'Documentation'],
  ['test', 'Tests'],
  ['build', 'Build'],
  ['ci', 'Continuous integration'],
  ['chore', 'Chores'],
  ['style', 'Style'],
  ['revert', 'Reverts'],
]);

const OTHER = 'other';
const SUBJECT = /^([A-Za-z]+)(?:\(([^()]*)\))?(!)?: (.+)$/;
const BREAKING_FOOTER = /^BREAKING[ -]CHANGE: /m;
const TIP_LINE = /^Generated at commit `([0-9a-f]{40})`\.$/m;

/** Splits a Conventional Commit subject (`type(scope)!: description`) into its parts. */
export function parseSubject(subject: string, body = ''): ParsedSubject {
  const match = SUBJECT.exec(subject.trim());
  const footerBreaking = BREAKING_FOOTER.test(body);
  if (!match) {
    return { type: undefined, scope: undefined, breaking: footerBreaking, description: subject };
  }
  const [, type = '', scope, bang, description = ''] = match;
  return {
    type: type.toLowerCase(),
    scope: scope === undefined || scope.trim() === '' ? undefined : scope.trim(),
    breaking: bang === '!' || footerBreaking,
    description: description.trim(),
  };
}

function titleOf(type: string): string {
  if (type === OTHER) return 'Other';
  return TYPE_TITLES.get(type) ?? type;
}

/** Known types in TYPE_TITLES order, then unknown types by name, then `other` last. */
function typeRank(type: string): [number, string] {
  if (type === OTHER) return [2, ''];
  const known = [...TYPE_TITLES.keys()].indexOf(type);
  return known >= 0 ? [0, String(known).padStart(3, '0')] : [1, type];
}

function compareTypes(a: string, b: string): number {
  const [rankA, keyA] = typeRank(a);
  const [rankB, keyB] = typeRank(b);
  if (rankA !== rankB) return rankA - rankB;
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
}

/**
 * Groups commits by day, newest day first, and within a day by type. Commits keep the order they
 * are given in (git log's: newest first) inside their group.
 */
export function groupCommits(commits: readonly Commit[]): DaySection[] {
  const days = new Map<string, Map<string, Entry[]>>();
  for (const commit of commits) {
    const parsed = parseSubject(commit.subject, commit.body);
    const type = parsed.type ?? OTHER;
    const byType = days.get(commit.date) ?? new Map<string, Entry[]>();
    days.set(commit.date, byType);
    const entries = byType.get(type) ?? [];
    byType.set(type, entries);
    entries.push({ ...parsed, shortHash: commit.hash.slice(0, 7) });
  }
  return [...days.entries()]
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .map(([date, byType]) => ({
      date,
      groups: [...byType.entries()]
        .sort(([a], [b]) => compareTypes(a, b))
        .map(([type, entries]) => ({ type, title: titleOf(type), entries })),
    }));
}

/**
 * Escapes what Markdown would read as markup in a commit subject, so that the text shows as
 * written and Prettier (which checks this file in `npm run lint`) has nothing to rewrite.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/[\\`*[\]<>~]/g, (character) => `\\${character}`)
      // An underscore inside a word (atlas_orders_unsettled) is never emphasis; others may be.
      .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')
      // An entity (&amp;) would show as its character.
      .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&')
  );
}

/** A list item's text that begins like a heading, a quote, a list item or an entity stays text. */
function escapeLineStart(text: string): string {
  if (/^(?:[#>+-]|\d+[.)])(?:\s|$)/.test(text) || /^[=+-]+$/.test(text)) {
    return text.replace(/^(\d+)?(.)/, (_match, digits: string | undefined, mark: string) =>
      digits === undefined ? `\\${mark}` : `${digits}\\${mark}`,
    );
  }
  return text;
}

function renderEntry(entry: Entry): string {
  const breaking = entry.breaking ? '**BREAKING** ' : '';
  const scope = entry.scope === undefined ? '' : `**${escapeMarkdown(entry.scope)}**: `;
  const text = escapeLineStart(`${breaking}${scope}${escapeMarkdown(entry.description)}`);
  return `- ${text} (${entry.shortHash})`;
}

/** The whole CHANGELOG.md for the commits reachable from `tip` (a full hash). */
export function renderChangelog(sections: readonly DaySection[], tip: string): string {
  const lines = [
    '# Changelog',
    '',
    'Every commit of the trunk, by day (newest first) and by Conventional Commit type. Generated from',
    '`git log` by `npm run changelog` ([infra/release/changelog.ts](infra/release/changelog.ts)); do',
    'not edit it by hand. How releases use it: [docs/RELEASE.md](docs/RELEASE.md).',
    '',
    `Generated at commit \`${tip}\`.`,
  ];
  for (const section of sections) {
    lines.push('', `## ${section.date}`);
    for (const group of section.groups) {
      lines.push('', `### ${group.title}`, '');
      for (const entry of group.entries) lines.push(renderEntry(entry));
    }
  }
  lines.push('');
  return lines.join('\n');
}

/** The commit a generated CHANGELOG.md says it was generated at, if it says so. */
export function recordedTip(markdown: string): string | undefined {
  return TIP_LINE.exec(markdown)?.[1];
}

const FIELD = '\x1f';
const RECORD = '\x1e';
/** What `git log` prints for each commit; `parseGitLog` reads it back. */
export const GIT_LOG_FORMAT = ['%H', '%cs', '%s', '%b'].join('%x1f') + '%x1e';

/** Reads the output of `git log --format=${GIT_LOG_FORMAT}`. */
export function parseGitLog(raw: string): Commit[] {
  return raw
    .split(RECORD)
    .map((record) => record.replace(/^\n+/, ''))
    .filter((record) => record.trim() !== '')
    .map((record) => {
      const [hash = '', date = '', subject = '', body = ''] = record.split(FIELD);
      return { hash, date, subject, body: body.trim() };
    });
}

/** The first line where two texts differ (1-based), or undefined when they are equal. */
export function firstDifference(
  actual: string,
  expected: string,
): { line: number; actual: string; expected: string } | undefined {
  if (actual === expected) return undefined;
  const a = actual.split('\n');
  const b = expected.split('\n');
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    if (a[index] !== b[index]) {
      return { line: index + 1, actual: a[index] ?? '(end)', expected: b[index] ?? '(end)' };
    }
  }
  return undefined;
}

const REPO_ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const CHANGELOG = join(REPO_ROOT, 'CHANGELOG.md');

function git(args: readonly string[]): string {
  return execFileSync('git', args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** CHANGELOG.md as it would be generated for the history up to `revision`. */
export function generate(revision = 'HEAD'): string {
  const tip = git(['rev-parse', '--verify', `${revision}^{commit}`]).trim();
  const commits = parseGitLog(git(['log', '--no-merges', `--format=${GIT_LOG_FORMAT}`, tip]));
  return renderChangelog(groupCommits(commits), tip);
}

function isAncestorOfHead(commit: string): boolean {
  try {
    git(['merge-base', '--is-ancestor', commit, 'HEAD']);
    return true;
  } catch {
    return false;
  }
}

/** `--check`: 0 when CHANGELOG.md is exactly what this script generates up to the commit it records. */
function check(): number {
  let current: string;
  try {
    current = readFileSync(CHANGELOG, 'utf8');
  } catch {
    console.error('CHANGELOG.md is missing: run npm run changelog');
    return 1;
  }
  const tip = recordedTip(current);
  if (tip === undefined) {
    console.error('CHANGELOG.md records no commit it was generated at: run npm run changelog');
    return 1;
  }
  if (!isAncestorOfHead(tip)) {
    console.error(
      `CHANGELOG.md was generated at ${tip}, which is not in the history of HEAD (rewritten, or a shallow clone): run npm run changelog`,
    );
    return 1;
  }
  const difference = firstDifference(current, generate(tip));
  if (difference) {
    console.error(
      `CHANGELOG.md differs from what ${tip.slice(0, 7)} generates at line ${difference.line}:\n` +
        `  file:      ${difference.actual}\n  generated: ${difference.expected}\n` +
        'It is generated, never edited: run npm run changelog',
    );
    return 1;
  }
  const since = Number(git(['rev-list', '--count', '--no-merges', `${tip}..HEAD`]).trim());
  console.error(
    `CHANGELOG.md is what ${tip.slice(0, 7)} generates` +
      (since > 0 ? `; ${since} commit(s) since, which npm run changelog adds` : ''),
  );
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.length === 1 && args[0] === '--check') {
    process.exit(check());
  } else if (args.length === 0) {
    process.stdout.write(generate());
  } else {
    console.error('usage: node infra/release/changelog.ts [--check]');
    process.exit(2);
  }
}
