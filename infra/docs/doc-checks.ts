/**
 * Pure readers of Markdown used by docs.test.ts: GitHub's heading slugs, the links, `npm`
 * scripts and `/v1/…` routes a page names, each with its line. No file system access here
 * beyond what the caller passes in, so every piece is testable on strings.
 */

/** Something a page names, with the 1-based line it starts on. */
export interface Located<T> {
  readonly line: number;
  readonly value: T;
}

// GitHub (github-slugger) drops every character but letters, marks, numbers, connector
// punctuation (`_`), spaces and `-`, after lower-casing; spaces then become `-`, one each.
const NOT_IN_SLUG = /[^\p{L}\p{M}\p{N}\p{Pc} -]/gu;

/** The slug GitHub derives from a heading's text (before de-duplication). */
export function githubSlug(text: string): string {
  return text.toLowerCase().replace(NOT_IN_SLUG, '').replace(/ /g, '-');
}

/**
 * A slugger for one page: the first `Usage` is `usage`, the next ones `usage-1`, `usage-2`, …,
 * skipping a suffixed slug that an earlier heading already took, as github-slugger does.
 */
export function createSlugger(): (text: string) => string {
  const occurrences = new Map<string, number>();
  return (text) => {
    const original = githubSlug(text);
    let slug = original;
    while (occurrences.has(slug)) {
      const count = (occurrences.get(original) ?? 0) + 1;
      occurrences.set(original, count);
      slug = `${original}-${count}`;
    }
    occurrences.set(slug, 0);
    return slug;
  };
}

/** The text GitHub renders for a heading's Markdown: no links, images, code marks, emphasis or tags. */
export function headingText(markdown: string): string {
  return markdown
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`/g, '')
    .replace(/(\*{1,3}|~~)(\S(?:.*?\S)?)\1/g, '$2')
    .replace(/(^|[^\p{L}\p{N}])(_{1,3})(\S(?:.*?\S)?)\2(?![\p{L}\p{N}])/gu, '$1$3')
    .trim();
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The page with fenced code blocks, inline code spans and HTML comments blanked out (every
 * character but line breaks becomes a space), so offsets and line numbers stay as they were.
 */
export function withoutCode(markdown: string): string {
  const blank = (text: string): string => text.replace(/[^\n]/g, ' ');
  const lines = markdown.split('\n');
  let fence: string | undefined;
  const prose = lines.map((line) => {
    const opening = FENCE.exec(line)?.[1];
    if (fence !== undefined) {
      if (opening !== undefined && opening[0] === fence[0] && opening.length >= fence.length)
        fence = undefined;
      return blank(line);
    }
    if (opening !== undefined) {
      fence = opening;
      return blank(line);
    }
    return line;
  });
  return prose
    .join('\n')
    .replace(/<!--[\s\S]*?-->/g, blank)
    .replace(/(`+)((?:(?!\n[ \t]*\n)[\s\S])*?[^`])\1(?!`)/g, blank);
}

const lineAt = (text: string, offset: number): number => {
  let line = 1;
  for (let index = 0; index < offset; index += 1) if (text.charCodeAt(index) === 10) line += 1;
  return line;
};

/** Every heading's anchor on the page, de-duplicated as GitHub does, plus explicit `id`/`name` anchors. */
export function headingAnchors(markdown: string): Set<string> {
  const slug = createSlugger();
  const anchors = new Set<string>();
  const lines = withoutCode(markdown).split('\n');
  const raw = markdown.split('\n');
  lines.forEach((line, index) => {
    const atx = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx) {
      // Headings keep their code spans' text: take it from the raw line.
      const text = (raw[index] ?? '')
        .replace(/^ {0,3}#{1,6}[ \t]*/, '')
        .replace(/[ \t]+#+[ \t]*$/, '');
      anchors.add(slug(headingText(text)));
      return;
    }
    const previous = lines[index - 1];
    if (
      /^ {0,3}(=+|-+)[ \t]*$/.test(line) &&
      previous !== undefined &&
      previous.trim() !== '' &&
      !/^ {0,3}([#>|*+-]|\d+[.)])/.test(previous)
    )
      anchors.add(slug(headingText((raw[index - 1] ?? '').trim())));
  });
  for (const match of withoutCode(markdown).matchAll(/<[a-z]+[^>]*\s(?:id|name)="([^"]+)"/gi))
    if (match[1] !== undefined) anchors.add(match[1]);
  return anchors;
}

/** Every link target of the page outside code: inline links and images, reference definitions, HTML `href`/`src`. */
export function markdownLinks(markdown: string): Located<string>[] {
  const prose = withoutCode(markdown);
  const found: { offset: number; value: string }[] = [];
  const inline =
    /!?\[(?:[^[\]]|\[[^[\]]*\])*\]\([ \t]*(<[^>\n]*>|[^)\s]+)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'))?[ \t]*\)/g;
  for (const match of prose.matchAll(inline)) {
    const target = match[1] ?? '';
    const start = match.index + match[0].lastIndexOf(target);
    found.push({ offset: start, value: target.replace(/^<(.*)>$/, '$1') });
  }
  for (const match of prose.matchAll(/^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)/gm))
    found.push({ offset: match.index, value: (match[1] ?? '').replace(/^<(.*)>$/, '$1') });
  for (const match of prose.matchAll(/<(?:a|img)\b[^>]*?\s(?:href|src)="([^"]*)"/gi))
    found.push({ offset: match.index, value: match[1] ?? '' });
  return found
    .sort((a, b) => a.offset - b.offset)
    .map(({ offset, value }) => ({ line: lineAt(prose, offset), value }));
}

/** Every npm script a page runs, code blocks included: `npm run <name>`, `npm start`, `npm test`. */
export function npmScripts(markdown: string): Located<string>[] {
  const found: Located<string>[] = [];
  for (const match of markdown.matchAll(
    /\bnpm(?:[ \t]+--?[\w-]+(?:=\S+)?)*[ \t]+(?:run(?:-script)?[ \t]+([\w:.-]*\w)|(start|test|t)\b)/g,
  )) {
    const name = match[1] ?? (match[2] === 't' ? 'test' : match[2]);
    if (name !== undefined) found.push({ line: lineAt(markdown, match.index), value: name });
  }
  return found;
}

/** A `/v1/…` route a page names, and its method when the page gives one. */
export interface NamedRoute {
  readonly method: string | undefined;
  /** As written, for messages. */
  readonly text: string;
  /** The path's segments after `/v1`, query and fragment removed. */
  readonly segments: readonly string[];
}

const METHODS = 'GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS';
// A method (`POST`, `-X POST`) right before, then an optional origin (`http://host:port`, `$GW`,
// `${GW}`), then `/v1/` and segments; `<…>` placeholders may hold spaces. A `/v1` inside a longer
// path (`/apis/v1/…`) is not ours.
const ROUTE = new RegExp(
  String.raw`(?<![\w/.:$-])(?:(?:(?:-X|--request)[ \t]+)?(${METHODS})[ \t]+)?` +
    String.raw`((?:https?://[^\s/'"\x60]+|\$\{?\w+\}?)?/v1((?:/(?:<[^<>\n]+>|[^\s/'"\x60()<>|,;\]]+))+)/?)`,
  'g',
);

/** Every `/v1/…` route a page names, code blocks included. Routes elided with `…` are left out. */
export function apiRoutes(markdown: string): Located<NamedRoute>[] {
  const found: Located<NamedRoute>[] = [];
  for (const match of markdown.matchAll(ROUTE)) {
    const path = (match[3] ?? '').split(/[?#]/)[0] ?? '';
    const segments = path
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment, index, all) =>
        index === all.length - 1 ? segment.replace(/[.,:;!]+$/, '') : segment,
      )
      .filter((segment) => segment !== '');
    if (segments.length === 0 || segments.some((segment) => /^(…|\.\.\.|\*)$/.test(segment)))
      continue;
    found.push({
      line: lineAt(markdown, match.index),
      value: { method: match[1], text: (match[2] ?? '').trim(), segments },
    });
  }
  return found;
}

/** A route of the catalog: its method and `/v1/orders/:orderId`-style path. */
export interface CatalogRoute {
  readonly method: string;
  readonly path: string;
}

const PLACEHOLDER = /^(\{\w+\}|:\w+|<[^>]+>|\$\{?\w+\}?)$/;

/**
 * Whether a route a page names is one of the catalog's: the same number of segments, literal
 * segments equal, and a catalog parameter (`:orderId`) standing for any segment (`{orderId}`,
 * `:orderId`, `<id>`, `$ORDER`, or a concrete value like `SKU-DEMO-1`); a placeholder never stands
 * for a literal segment. The method must match when the page gives one.
 */
export function routeExists(named: NamedRoute, catalog: readonly CatalogRoute[]): boolean {
  return catalog.some((route) => {
    if (named.method !== undefined && named.method !== route.method) return false;
    const segments = route.path.split('/').filter((segment) => segment !== '');
    if (segments[0] !== 'v1' || segments.length - 1 !== named.segments.length) return false;
    return segments.slice(1).every((segment, index) => {
      const ours = named.segments[index] ?? '';
      return segment.startsWith(':') ? true : !PLACEHOLDER.test(ours) && ours === segment;
    });
  });
}
