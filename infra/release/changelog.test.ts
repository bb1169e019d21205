import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { format, resolveConfig } from 'prettier';
import {
  escapeMarkdown,
  firstDifference,
  GIT_LOG_FORMAT,
  groupCommits,
  parseGitLog,
  parseSubject,
  recordedTip,
  renderChangelog,
  type Commit,
} from './changelog.ts';

let sequence = 0;
function commit(date: string, subject: string, body = ''): Commit {
  sequence += 1;
  return { hash: `${String(sequence).padStart(7, '0')}${'f'.repeat(33)}`, date, subject, body };
}

describe('a Conventional Commit subject', () => {
  it('splits into type, scope and description', () => {
    expect(parseSubject('feat(order): stuck orders')).toEqual({
      type: 'feat',
      scope: 'order',
      breaking: false,
      description: 'stuck orders',
    });
  });

  it('may have no scope, or several in one', () => {
    expect(parseSubject('docs: the contract')).toMatchObject({
      type: 'docs',
      scope: undefined,
      description: 'the contract',
    });
    expect(parseSubject('feat(auth,idempotency): JWT')).toMatchObject({
      scope: 'auth,idempotency',
    });
  });

  it('is breaking with a ! before the colon or a BREAKING CHANGE footer', () => {
    expect(parseSubject('feat(api)!: drop v0').breaking).toBe(true);
    expect(parseSubject('fix: x', 'why\n\nBREAKING CHANGE: the field is gone').breaking).toBe(true);
    expect(parseSubject('fix: x', 'mentions a BREAKING CHANGE: in prose').breaking).toBe(false);
  });

  it('has no type when it does not follow the form', () => {
    expect(parseSubject('Merge branch main: sync')).toMatchObject({
      type: undefined,
      description: 'Merge branch main: sync',
    });
    expect(parseSubject('feat:no space').type).toBeUndefined();
    expect(parseSubject('WIP').type).toBeUndefined();
  });

  it('takes the type in lower case', () => {
    expect(parseSubject('Fix(http): a 415').type).toBe('fix');
  });
});

describe('grouping commits', () => {
  it('puts the newest day first and keeps the given order within a type', () => {
    const sections = groupCommits([
      commit('2026-11-28', 'feat(a): second on the 28th'),
      commit('2026-12-06', 'fix(b): on the 6th'),
      commit('2026-11-28', 'feat(c): first on the 28th'),
      commit('2026-11-27', 'build: skeleton'),
    ]);
    expect(sections.map((section) => section.date)).toEqual([
      '2026-12-06',
      '2026-11-28',
      '2026-11-27',
    ]);
    const features = sections[1]?.groups[0];
    expect(features?.title).toBe('Features');
    expect(features?.entries.map((entry) => entry.description)).toEqual([
      'second on the 28th',
      'first on the 28th',
    ]);
  });

  it('orders the types feat, fix, perf, refactor, docs, test, build, ci, chore…, then unknown types, then other', () => {
    const day = '2026-12-06';
    const [section] = groupCommits(
      [
        'chore: c',
        'Nothing conventional',
        'zeta: unknown type',
        'test: t',
        'docs: d',
        'ci: ci',
        'build: b',
        'refactor: r',
        'perf: p',
        'fix: f',
        'feat: a',
        'style: s',
        'revert: v',
      ].map((subject) => commit(day, subject)),
    );
    expect(section?.groups.map((group) => group.title)).toEqual([
      'Features',
      'Fixes',
      'Performance',
      'Refactoring',
      'Documentation',
      'Tests',
      'Build',
      'Continuous integration',
      'Chores',
      'Style',
      'Reverts',
      'zeta',
      'Other',
    ]);
  });

  it('gives each entry the first 7 characters of its hash', () => {
    const [section] = groupCommits([
      { hash: 'e7b2729bd3df8746f6ba4250bb24a2923fc1babf', date: 'd', subject: 'feat: x', body: '' },
    ]);
    expect(section?.groups[0]?.entries[0]?.shortHash).toBe('e7b2729');
  });

  it('answers nothing for no commits', () => {
    expect(groupCommits([])).toEqual([]);
  });
});

describe('the rendered changelog', () => {
  const tip = 'e7b2729bd3df8746f6ba4250bb24a2923fc1babf';
  const text = renderChangelog(
    groupCommits([
      commit('2026-12-06', 'feat(api)!: a breaking one'),
      commit('2026-12-06', 'fix: a plain one'),
      commit('2026-11-28', 'not conventional'),
    ]),
    tip,
  );

  it('has a heading per day, a subheading per type and an item per commit', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('# Changelog');
    expect(lines.filter((line) => line.startsWith('## '))).toEqual([
      '## 2026-12-06',
      '## 2026-11-28',
    ]);
    expect(lines.filter((line) => line.startsWith('### '))).toEqual([
      '### Features',
      '### Fixes',
      '### Other',
    ]);
    const items = lines.filter((line) => line.startsWith('- '));
    expect(items[0]).toMatch(/^- \*\*BREAKING\*\* \*\*api\*\*: a breaking one \([0-9a-f]{7}\)$/);
    expect(items[1]).toMatch(/^- a plain one \([0-9a-f]{7}\)$/);
    expect(items[2]).toMatch(/^- not conventional \([0-9a-f]{7}\)$/);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('records the commit it was generated at, and reads it back', () => {
    expect(recordedTip(text)).toBe(tip);
    expect(recordedTip('# Changelog\n\nhand written\n')).toBeUndefined();
  });

  it('keeps a subject that looks like a list item or a heading as text', () => {
    const lines = renderChangelog(
      groupCommits([commit('d', '# not a heading'), commit('d', '1. not a list')]),
      tip,
    ).split('\n');
    expect(lines.filter((line) => line.startsWith('- ')).map((line) => line.slice(0, -10))).toEqual(
      ['- \\# not a heading', '- 1\\. not a list'],
    );
  });
});

describe('escaping Markdown in a subject', () => {
  it('gives Markdown that Prettier (npm run lint) leaves exactly as it is', async () => {
    const text = renderChangelog(
      groupCommits(
        [
          'feat(a_b): *bold* **strong** _em_ snake_case `code` [link](x) <b>html</b> ~25 MB',
          'fix: R&D &amp; a | b, 10 * 3 < 31 > 29, back\\slash \\* and trailing\\',
          '# heading',
          '1. ordered',
          '12) ordered',
          '- dash',
          '+ plus',
          '> quote',
          '---',
          '"quotes" — dash … × §4 http://example.com/x_y',
        ].map((subject) => commit('2026-12-06', subject)),
      ),
      'e7b2729bd3df8746f6ba4250bb24a2923fc1babf',
    );
    // The repository's own Prettier settings for a Markdown file at the root.
    const at = fileURLToPath(new URL('../../CHANGELOG.md', import.meta.url));
    const config = await resolveConfig(at);
    expect(config).not.toBeNull();
    expect(await format(text, { ...config, filepath: at })).toBe(text);
  });

  it('shows emphasis, code, links and HTML as written', () => {
    expect(escapeMarkdown('*a* `b` [c](d) <e> ~f~')).toBe(
      '\\*a\\* \\`b\\` \\[c\\](d) \\<e\\> \\~f\\~',
    );
  });

  it('leaves an underscore inside a word alone and escapes one at its edge', () => {
    expect(escapeMarkdown('atlas_orders_unsettled _em_')).toBe('atlas_orders_unsettled \\_em\\_');
  });

  it('escapes an entity but not a lone ampersand', () => {
    expect(escapeMarkdown('R&D &amp;')).toBe('R&D \\&amp;');
  });
});

describe('reading git log', () => {
  it('reads hash, date, subject and body of each record', () => {
    expect(GIT_LOG_FORMAT).toBe('%H%x1f%cs%x1f%s%x1f%b%x1e');
    const raw =
      `${'a'.repeat(40)}\x1f2026-12-06\x1ffeat: one\x1fbody line\n\nBREAKING CHANGE: x\n\x1e\n` +
      `${'b'.repeat(40)}\x1f2026-12-05\x1ffix: two\x1f\x1e\n`;
    expect(parseGitLog(raw)).toEqual([
      {
        hash: 'a'.repeat(40),
        date: '2026-12-06',
        subject: 'feat: one',
        body: 'body line\n\nBREAKING CHANGE: x',
      },
      { hash: 'b'.repeat(40), date: '2026-12-05', subject: 'fix: two', body: '' },
    ]);
    expect(parseGitLog('')).toEqual([]);
  });
});

describe('comparing the file with what is generated', () => {
  it('names the first line that differs', () => {
    expect(firstDifference('a\nb\nc', 'a\nb\nc')).toBeUndefined();
    expect(firstDifference('a\nx\nc', 'a\nb\nc')).toEqual({ line: 2, actual: 'x', expected: 'b' });
    expect(firstDifference('a', 'a\nb')).toEqual({ line: 2, actual: '(end)', expected: 'b' });
  });
});
