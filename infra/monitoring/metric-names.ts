import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Pure readers used by monitoring.test.ts: the metric names a PromQL expression selects, and the
 * metric names the code defines. Strings in, names out, so each piece is testable on its own.
 */

/** A metric the code defines, with the file that defines it (repository-relative). */
export interface DefinedMetric {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly file: string;
}

// `counter(registry, 'atlas_…', …)`, `gauge(…)`, `histogram(…)`: the helpers of
// shared/observability/src/metrics.ts, whose first argument is the registry.
const HELPER_CALL = /\b(counter|gauge|histogram)\(\s*[\w.]+\s*,\s*['"`]([a-zA-Z_:][\w:]*)['"`]/g;
// `new Counter({ name: 'atlas_…' … })`: prom-client used directly.
const CONSTRUCTOR =
  /\bnew (Counter|Gauge|Histogram)\(\s*\{\s*name:\s*['"`]([a-zA-Z_:][\w:]*)['"`]/g;

/** The metrics defined in one source text. */
export function definedMetrics(source: string, file: string): DefinedMetric[] {
  const found: DefinedMetric[] = [];
  for (const pattern of [HELPER_CALL, CONSTRUCTOR]) {
    for (const match of source.matchAll(pattern)) {
      const [, kind = '', name = ''] = match;
      found.push({ name, type: kind.toLowerCase() as DefinedMetric['type'], file });
    }
  }
  return found;
}

/** Every `.ts` file under `directory` but tests and node_modules, repository-relative paths. */
function sourceFiles(root: string, directory: string): string[] {
  return readdirSync(join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(root, path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The metrics defined by the `.ts` sources under each of `directories` (relative to `root`). */
export function scanDefinedMetrics(root: string, directories: readonly string[]): DefinedMetric[] {
  return directories.flatMap((directory) =>
    sourceFiles(root, directory).flatMap((file) =>
      definedMetrics(readFileSync(join(root, file), 'utf8'), file),
    ),
  );
}

/** The series names a metric exposes: a histogram's `_bucket`, `_sum` and `_count`. */
export function seriesNames(metric: Pick<DefinedMetric, 'name' | 'type'>): string[] {
  return metric.type === 'histogram'
    ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`]
    : [metric.name];
}

// Words PromQL reserves outside function calls, and its special numbers.
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'atan2',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects. String literals, label matchers (`{…}`), ranges
 * and subqueries (`[…]`, Grafana's `$__rate_interval` included) and grouping clauses
 * (`by (…)`, `on (…)`, …) are removed first; what remains is a name unless a `(` follows it
 * (a function or an aggregation), it is a keyword, or it is part of a number or a duration.
 */
export function metricNamesIn(expression: string): string[] {
  const stripped = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ')
    .replace(/#.*$/gm, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.$])[a-zA-Z_:][\w:]*(?![\w:])(?!\s*\()/g)) {
    const [word] = match;
    if (!KEYWORDS.has(word.toLowerCase())) names.add(word);
  }
  return [...names].sort();
}
