import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { loadCatalog } from '@atlas/catalog';
import { createMetricsRegistry } from '@atlas/observability';
import { REPO_ROOT } from '../local/lib/paths.ts';
import { ensureDebianPackage, hasCommand } from '../local/lib/system-packages.ts';
import {
  metricNamesIn,
  scanDefinedMetrics,
  seriesNames,
  type DefinedMetric,
} from './metric-names.ts';
import {
  FUNCTIONS_JOB,
  KAFKA_SOURCE_JOB,
  PROMETHEUS_CONFIG,
  renderPrometheusConfig,
} from './prometheus-config.ts';

/**
 * The operator's monitoring files against the code: the alert rules and the dashboard select only
 * metrics the code defines, every alert sends to a runbook that exists and names it, the scrape
 * configuration is the catalog's, and Prometheus's own promtool accepts the rules and the
 * configuration and passes the rules' unit tests (alerts.test.yml).
 */

const PROMETHEUS_DIR = join(REPO_ROOT, 'infra/monitoring/prometheus');
const ALERTS_FILE = join(PROMETHEUS_DIR, 'alerts.yml');
const DASHBOARD_FILE = join(REPO_ROOT, 'infra/monitoring/grafana/atlas-overview.json');

/** Where metrics are defined (docs/OBSERVABILITY.md#metrics says the same). */
const METRIC_SOURCES = ['shared', 'functions', 'infra/local/kafka-source'];

/**
 * Node's default metrics, which `createMetricsRegistry` turns on in every process (prom-client's
 * `collectDefaultMetrics`): the names rules and panels may use. Checked against prom-client below.
 */
const PROM_CLIENT_DEFAULTS: readonly Pick<DefinedMetric, 'name' | 'type'>[] = [
  { name: 'process_cpu_user_seconds_total', type: 'counter' },
  { name: 'process_cpu_system_seconds_total', type: 'counter' },
  { name: 'process_cpu_seconds_total', type: 'counter' },
  { name: 'process_start_time_seconds', type: 'gauge' },
  { name: 'process_resident_memory_bytes', type: 'gauge' },
  { name: 'process_open_fds', type: 'gauge' },
  { name: 'nodejs_eventloop_lag_seconds', type: 'gauge' },
  { name: 'nodejs_eventloop_lag_mean_seconds', type: 'gauge' },
  { name: 'nodejs_eventloop_lag_p50_seconds', type: 'gauge' },
  { name: 'nodejs_eventloop_lag_p90_seconds', type: 'gauge' },
  { name: 'nodejs_eventloop_lag_p99_seconds', type: 'gauge' },
  { name: 'nodejs_eventloop_lag_max_seconds', type: 'gauge' },
  { name: 'nodejs_heap_size_total_bytes', type: 'gauge' },
  { name: 'nodejs_heap_size_used_bytes', type: 'gauge' },
  { name: 'nodejs_external_memory_bytes', type: 'gauge' },
  { name: 'nodejs_active_handles_total', type: 'gauge' },
  { name: 'nodejs_gc_duration_seconds', type: 'histogram' },
];

/** Series Prometheus itself writes for every scrape target. */
const PROMETHEUS_SERIES = ['up'];

const SEVERITY_OF_LEVEL: Readonly<Record<string, string>> = {
  SEV1: 'page',
  SEV2: 'page',
  SEV3: 'ticket',
};

interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const stringsOf = (value: unknown): Record<string, string> =>
  isRecord(value)
    ? Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, typeof item === 'string' ? item : '']),
      )
    : {};

/** The alerting rules of alerts.yml (recording rules have no `alert` and are left out). */
function readAlertRules(): AlertRule[] {
  const document: unknown = parse(readFileSync(ALERTS_FILE, 'utf8'));
  const groups = isRecord(document) && Array.isArray(document['groups']) ? document['groups'] : [];
  return groups.flatMap((group: unknown) => {
    const rules = isRecord(group) && Array.isArray(group['rules']) ? group['rules'] : [];
    return rules.flatMap((rule: unknown) =>
      isRecord(rule) && typeof rule['alert'] === 'string'
        ? [
            {
              alert: rule['alert'],
              expr: typeof rule['expr'] === 'string' ? rule['expr'] : '',
              labels: stringsOf(rule['labels']),
              annotations: stringsOf(rule['annotations']),
            },
          ]
        : [],
    );
  });
}

interface Panel {
  readonly id?: unknown;
  readonly type?: unknown;
  readonly title?: unknown;
  readonly datasource?: unknown;
  readonly targets?: unknown;
  readonly panels?: unknown;
}

/** Every panel of the dashboard, those inside collapsed rows included. */
function panelsOf(dashboard: Record<string, unknown>): Panel[] {
  const top = Array.isArray(dashboard['panels']) ? (dashboard['panels'] as Panel[]) : [];
  return top.flatMap((panel) => [
    panel,
    ...(Array.isArray(panel.panels) ? (panel.panels as Panel[]) : []),
  ]);
}

/** The PromQL of every query of every panel, with its panel's title. */
function dashboardQueries(panels: readonly Panel[]): { title: string; expr: string }[] {
  return panels.flatMap((panel) =>
    (Array.isArray(panel.targets) ? (panel.targets as unknown[]) : []).flatMap((target) =>
      isRecord(target) && typeof target['expr'] === 'string'
        ? [{ title: String(panel.title), expr: target['expr'] }]
        : [],
    ),
  );
}

/** The alert names a runbook's `**Alerts**:` line lists. */
function alertsNamedIn(runbook: string): string[] {
  const line = /^\*\*Alerts\*\*:\s*(.+)$/m.exec(readFileSync(join(REPO_ROOT, runbook), 'utf8'));
  return (line?.[1] ?? '')
    .split(',')
    .map((name) => name.replace(/[`.]/g, '').trim())
    .filter((name) => name.length > 0)
    .sort();
}

const functionNames = new Set([...loadCatalog().map((entry) => entry.name), 'kafka-source']);

/** The jobs, functions and consumers an expression names that prometheus.yml and the catalog do not. */
function unknownTargets(where: string, expr: string): string[] {
  return [
    ...[...expr.matchAll(/\bjob\s*=\s*"([^"]*)"/g)]
      .map(([, job = '']) => job)
      .filter((job) => job !== FUNCTIONS_JOB && job !== KAFKA_SOURCE_JOB)
      .map((job) => `${where}: job ${job}`),
    ...[...expr.matchAll(/\b(?:function|consumer)\s*[=!]~?\s*"([\w|-]+)"/g)]
      .flatMap(([, values = '']) => values.split('|'))
      .filter((name) => !functionNames.has(name))
      .map((name) => `${where}: function ${name}`),
  ];
}

const defined = scanDefinedMetrics(REPO_ROOT, METRIC_SOURCES);
const knownSeries = new Set([
  ...defined.flatMap(seriesNames),
  ...PROM_CLIENT_DEFAULTS.flatMap(seriesNames),
  ...PROMETHEUS_SERIES,
]);
const rules = readAlertRules();
const dashboardText = readFileSync(DASHBOARD_FILE, 'utf8');

describe('reading metric names', () => {
  it('finds the names a PromQL expression selects, and nothing else', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, route) (rate(atlas_http_request_duration_seconds_bucket{function!="gateway", route=~"GET .*"}[$__rate_interval]))) > 0.5',
      ),
    ).toEqual(['atlas_http_request_duration_seconds_bucket']);
    expect(
      metricNamesIn(
        'sum by (function) (a_total) > 0 unless on (function) sum(b_total offset 10m) or vector(0) and absent(up == 1)',
      ),
    ).toEqual(['a_total', 'b_total', 'up']);
  });

  it('finds the metrics of each place metrics are defined in', () => {
    for (const directory of METRIC_SOURCES)
      expect(defined.some((metric) => metric.file.startsWith(`${directory}/`))).toBe(true);
    expect(defined.map((metric) => metric.name)).toEqual(
      expect.arrayContaining([
        'atlas_consumer_lag',
        'atlas_orders_unsettled',
        'atlas_outbox_backlog',
      ]),
    );
    for (const metric of defined) expect(metric.name).toMatch(/^atlas_[a-z_]+$/);
  });

  it("allows only Node's default metrics that prom-client really serves, with their types", async () => {
    const registry = createMetricsRegistry({ service: 'test', function: 'monitoring-test' });
    const served = (await registry.getMetricsAsJSON()).map(({ name, type }) => ({
      name,
      type: String(type),
    }));
    expect(served).toEqual(expect.arrayContaining([...PROM_CLIENT_DEFAULTS]));
  });
});

describe('infra/monitoring/prometheus/alerts.yml', () => {
  it('has uniquely named alerts', () => {
    expect(rules.length).toBeGreaterThan(0);
    const names = rules.map((rule) => rule.alert);
    expect(new Set(names).size).toBe(names.length);
  });

  it('selects only metrics the code defines, prom-client serves or Prometheus writes', () => {
    const unknown = rules.flatMap((rule) => {
      const names = metricNamesIn(rule.expr);
      if (names.length === 0) return [`${rule.alert}: selects no metric`];
      return names.filter((name) => !knownSeries.has(name)).map((name) => `${rule.alert}: ${name}`);
    });
    expect(unknown).toEqual([]);
  });

  it('names only the scrape jobs and the functions that exist', () => {
    expect(rules.flatMap((rule) => unknownTargets(rule.alert, rule.expr))).toEqual([]);
  });

  it('gives every alert a severity of docs/INCIDENT_RESPONSE.md, a summary and a runbook that exists', () => {
    const problems = rules.flatMap((rule) => {
      const { severity, sev } = rule.labels;
      const { summary, runbook } = rule.annotations;
      return [
        ...(sev !== undefined && SEVERITY_OF_LEVEL[sev] !== undefined
          ? []
          : [`${rule.alert}: label sev must be SEV1, SEV2 or SEV3, not ${sev}`]),
        ...(sev !== undefined && severity === SEVERITY_OF_LEVEL[sev]
          ? []
          : [`${rule.alert}: severity ${severity} does not match ${sev}`]),
        ...(summary ? [] : [`${rule.alert}: no summary`]),
        ...(runbook !== undefined &&
        /^docs\/runbooks\/[a-z0-9-]+\.md$/.test(runbook) &&
        existsSync(join(REPO_ROOT, runbook))
          ? []
          : [`${rule.alert}: runbook ${runbook} is not a file under docs/runbooks/`]),
      ];
    });
    expect(problems).toEqual([]);
  });

  it("is listed on each runbook's **Alerts** line, and each runbook lists exactly its alerts", () => {
    const byRunbook = new Map<string, string[]>();
    for (const { alert, annotations } of rules) {
      const runbook = annotations['runbook'] ?? '';
      byRunbook.set(runbook, [...(byRunbook.get(runbook) ?? []), alert]);
    }
    const runbooks = readdirSync(join(REPO_ROOT, 'docs/runbooks'))
      .filter((file) => file.endsWith('.md'))
      .map((file) => `docs/runbooks/${file}`);
    for (const runbook of runbooks) {
      expect({ runbook, alerts: alertsNamedIn(runbook) }).toEqual({
        runbook,
        alerts: [...(byRunbook.get(runbook) ?? [])].sort(),
      });
    }
  });
});

describe('infra/monitoring/grafana/atlas-overview.json', () => {
  const dashboard: unknown = JSON.parse(dashboardText);
  const board = isRecord(dashboard) ? dashboard : {};
  const panels = panelsOf(board);

  it('is a dashboard of schema 39 whose data source is the ${DS_PROMETHEUS} input', () => {
    expect(board['schemaVersion']).toBe(39);
    expect(board['__inputs']).toEqual([
      expect.objectContaining({
        name: 'DS_PROMETHEUS',
        type: 'datasource',
        pluginId: 'prometheus',
      }),
    ]);
    const sources = panels
      .map((panel) => panel.datasource)
      .filter((source) => source !== undefined);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources)
      expect(source).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
    expect(dashboardText).not.toMatch(
      /"uid":\s*"(?!\$\{DS_PROMETHEUS\}|-- Grafana --|atlas-overview")/,
    );
  });

  it('has unique panel ids', () => {
    const ids = panels.map((panel) => panel.id);
    for (const id of ids) expect(typeof id).toBe('number');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has the rows an operator looks at', () => {
    const rows = panels.filter((panel) => panel.type === 'row').map((panel) => String(panel.title));
    expect(rows).toEqual(['Saga', 'Delivery (local KafkaSource)', 'Outbox', 'HTTP', 'Processes']);
  });

  it('selects only metrics the code defines, prom-client serves or Prometheus writes', () => {
    const queries = dashboardQueries(panels);
    expect(queries.length).toBeGreaterThan(0);
    const unknown = queries.flatMap(({ title, expr }) => {
      const names = metricNamesIn(expr);
      if (names.length === 0) return [`${title}: ${expr} selects no metric`];
      return names.filter((name) => !knownSeries.has(name)).map((name) => `${title}: ${name}`);
    });
    expect(unknown).toEqual([]);
  });

  it('names only the scrape jobs and the functions that exist', () => {
    expect(
      dashboardQueries(panels).flatMap(({ title, expr }) => unknownTargets(title, expr)),
    ).toEqual([]);
  });

  it('shows every metric Atlas defines', () => {
    const shown = new Set(dashboardQueries(panels).flatMap(({ expr }) => metricNamesIn(expr)));
    const missing = defined
      .filter((metric) => !seriesNames(metric).some((series) => shown.has(series)))
      .map((metric) => metric.name);
    expect(missing).toEqual([]);
  });
});

describe('infra/monitoring/prometheus/prometheus.yml', () => {
  it('scrapes exactly the functions of the catalog and the KafkaSource', async () => {
    expect(readFileSync(PROMETHEUS_CONFIG, 'utf8')).toEqual(await renderPrometheusConfig());
  });
});

/**
 * promtool is Prometheus's own checker (Debian's `prometheus` package). Missing, it is installed
 * as the stack installs redis-server, where that is possible (root with apt-get); otherwise the
 * suite fails and says how to install it: a rules check that silently did not run would pass
 * broken rules.
 */
function ensurePromtool(): void {
  if (hasCommand('promtool')) return;
  try {
    ensureDebianPackage('promtool', 'prometheus', "Prometheus's promtool");
  } catch (error) {
    throw new Error(
      "promtool is missing and could not be installed here; it checks the alert rules. Install Debian's prometheus package (`sudo apt-get install --no-install-recommends prometheus`) or put promtool from a Prometheus release (https://prometheus.io/download/) on PATH.",
      { cause: error },
    );
  }
}

function promtool(...args: string[]): { exitCode: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: PROMETHEUS_DIR, encoding: 'utf8' });
  return {
    exitCode: result.status,
    output: `${result.stdout}${result.stderr}${result.error ? String(result.error) : ''}`,
  };
}

describe('promtool', () => {
  beforeAll(ensurePromtool, 600_000);

  it('accepts the alert rules', () => {
    expect(promtool('check', 'rules', 'alerts.yml')).toMatchObject({ exitCode: 0 });
  });

  it("parses the dashboard's queries", () => {
    // Grafana's interval variables replaced by a range; each query becomes a recording rule.
    const panels = panelsOf(JSON.parse(dashboardText) as Record<string, unknown>);
    const queries = dashboardQueries(panels).map(({ expr }, index) => ({
      record: `atlas_dashboard:query_${index}`,
      expr: expr.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m'),
    }));
    const directory = mkdtempSync(join(tmpdir(), 'atlas-dashboard-'));
    try {
      const file = join(directory, 'dashboard-queries.yml');
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules: queries }] }));
      expect(promtool('check', 'rules', file)).toMatchObject({ exitCode: 0 });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('accepts the scrape configuration', () => {
    expect(promtool('check', 'config', 'prometheus.yml')).toMatchObject({ exitCode: 0 });
  });

  it("passes the rules' unit tests, which exercise alerts firing and not firing", () => {
    const tests: unknown = parse(readFileSync(join(PROMETHEUS_DIR, 'alerts.test.yml'), 'utf8'));
    const exercised = new Set(
      (isRecord(tests) && Array.isArray(tests['tests']) ? tests['tests'] : []).flatMap(
        (test: unknown) =>
          (isRecord(test) && Array.isArray(test['alert_rule_test'])
            ? test['alert_rule_test']
            : []
          ).flatMap((check: unknown) =>
            isRecord(check) &&
            Array.isArray(check['exp_alerts']) &&
            check['exp_alerts'].length > 0 &&
            typeof check['alertname'] === 'string'
              ? [check['alertname']]
              : [],
          ),
      ),
    );
    expect(exercised.size).toBeGreaterThanOrEqual(3);
    expect(promtool('test', 'rules', 'alerts.test.yml')).toMatchObject({ exitCode: 0 });
  });
});
