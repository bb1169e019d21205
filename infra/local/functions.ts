import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog } from '@atlas/catalog';
import { bundlePath, buildBundles } from './bundles.ts';
import type { ComponentContext } from './components/component.ts';
import { postgresSocketEnv } from './components/postgres.ts';
import { tracingEnv } from './components/zipkin.ts';
import { faultProxyConfig, proxiedEnv } from './fault-proxy/config.ts';
import { InfraError } from './lib/errors.ts';
import { describePortHolder, isPortOpen } from './lib/ports.ts';
import { isStale } from './lib/freshness.ts';
import { withLock } from './lib/lock.ts';
import { launchDetached, launchedAt, logFile, ownedPid, stopProcess } from './lib/processes.ts';
import { httpOk, waitUntil } from './lib/wait.ts';
import type { ComponentStatus } from './stack.ts';

export type ProcessStatus = ComponentStatus & {
  readonly pid?: number;
  readonly error?: string;
  /** How often its keeper restarted it, and why it last exited. */
  readonly restarts?: number;
  readonly lastExit?: string;
};

/** What a function's keeper (keeper/keeper.sh) writes about the process it keeps. */
export interface KeeperState {
  /** The process now running, null between an exit and its restart. */
  readonly childPid: number | null;
  readonly restarts: number;
  readonly lastExit: {
    readonly reason: string;
    readonly at: string;
    readonly ranSeconds: number;
  } | null;
}

const KEEPER = join(import.meta.dirname, 'keeper', 'keeper.sh');

/**
 * A first start on a cold 2-core machine compiles and connects 30-odd processes at once: a function
 * that is merely slow gets this long. One that exits while starting fails at once instead.
 */
const READY_TIMEOUT_MS = 180_000;

function keeperStateFile(runDir: string, name: string): string {
  return join(runDir, `${name}.keeper.json`);
}

/**
 * The keeper's account of a function process (`runDir` is the state's `run/` folder); undefined
 * when it has none (never started).
 */
export function keeperState(runDir: string, name: string): KeeperState | undefined {
  try {
    return JSON.parse(readFileSync(keeperStateFile(runDir, name), 'utf8')) as KeeperState;
  } catch {
    return undefined;
  }
}

function describeExit(state: KeeperState | undefined): string | undefined {
  const exit = state?.lastExit;
  return exit ? `${exit.reason} at ${exit.at} after ${exit.ranSeconds}s` : undefined;
}

function lastLogLines(context: ComponentContext, name: string, count = 5): string {
  try {
    const lines = readFileSync(logFile(context.paths, name), 'utf8').trimEnd().split('\n');
    return lines.slice(-count).join('\n    ');
  } catch {
    return '(no log)';
  }
}

interface LocalProcess {
  readonly name: string;
  readonly entryPath: string;
  readonly port: number;
  /** Where the code it loads lives: a change there after its start makes it stale. */
  readonly sourceRoots: readonly string[];
}

/**
 * Every function of the catalog, plus the local KafkaSource that feeds the Kafka-triggered ones and
 * the vacuum keeper of the service databases.
 */
function localProcesses(context: ComponentContext): LocalProcess[] {
  const { repo } = context.paths;
  const shared = [join(repo, 'shared'), join(repo, 'schemas')];
  // The gateway and the KafkaSource route by the whole catalog, so any function.json counts.
  const wholeCatalog = [...shared, join(repo, 'functions')];
  const functions = loadCatalog().map((entry) => ({
    name: `fn-${entry.qualifiedName}`,
    entryPath: entry.entryPath,
    port: entry.port,
    sourceRoots:
      entry.service === 'gateway'
        ? wholeCatalog
        : [...shared, join(repo, 'functions', entry.service)],
  }));
  // The local processes outside the catalog read their settings through infra/local/lib.
  const localLib = join(repo, 'infra', 'local', 'lib');
  const kafkaSource = {
    name: 'kafka-source',
    entryPath: join(repo, 'infra', 'local', 'kafka-source', 'main.ts'),
    port: Number(context.env['ATLAS_DELIVERY_PORT'] ?? 8099),
    sourceRoots: [...wholeCatalog, localLib, join(repo, 'infra', 'local', 'kafka-source')],
  };
  // Stands in for PostgreSQL's autovacuum when the machine's server runs without it (ADR-0045).
  const vacuum = {
    name: 'vacuum',
    entryPath: join(repo, 'infra', 'local', 'vacuum', 'main.ts'),
    port: Number(context.env['ATLAS_VACUUM_PORT'] ?? 8098),
    sourceRoots: [...shared, localLib, join(repo, 'infra', 'local', 'vacuum')],
  };
  return [...functions, kafkaSource, vacuum];
}

function bundlesDir(context: ComponentContext): string {
  return join(context.paths.state, 'bundles');
}

function functionsLock(context: ComponentContext): string {
  return join(context.paths.run, 'functions.lock');
}

async function launch(context: ComponentContext, process_: LocalProcess): Promise<number> {
  const url = `http://127.0.0.1:${process_.port}`;
  if (await isPortOpen(process_.port)) {
    throw new InfraError(
      `${process_.name} cannot start: port ${process_.port} is taken by ${describePortHolder(process_.port)}.`,
    );
  }
  const stateFile = keeperStateFile(context.paths.run, process_.name);
  rmSync(stateFile, { force: true });
  // The keeper runs the process and restarts it when it exits on its own, as Kubernetes would.
  // The process runs its bundle (bundles.ts). Its entry rides along as an argument it ignores:
  // it names the function in `ps` and marks the process as ours.
  const pid = launchDetached(context.paths, process_.name, {
    command: 'sh',
    args: [
      KEEPER,
      stateFile,
      process.execPath,
      bundlePath(bundlesDir(context), process_.name),
      process_.entryPath,
    ],
    cwd: context.paths.repo,
    env: {
      PORT: String(process_.port),
      ATLAS_DELIVERY_PORT: String(process_.port),
      ATLAS_REPO_ROOT: context.paths.repo,
      ...wantedEnv(context),
    },
  });
  // Ready, not only alive: a function answers once its database and Redis do, and the KafkaSource
  // once every consumer joined its group, so the first request or event after start is served.
  // Slow is not failed; an exit while starting is, at once.
  const healthy = await waitUntil(() => httpOk(`${url}/ready`), {
    timeoutMs: READY_TIMEOUT_MS,
    stillAlive: () =>
      ownedPid(context.paths, process_.name, process_.entryPath) === pid &&
      (keeperState(context.paths.run, process_.name)?.restarts ?? 0) === 0,
  });
  if (!healthy) {
    const exit = describeExit(keeperState(context.paths.run, process_.name));
    throw new InfraError(
      exit
        ? `${process_.name} exited while starting (${exit}); its log ends:\n    ${lastLogLines(context, process_.name)}`
        : `${process_.name} was not ready (${url}/ready) within ${READY_TIMEOUT_MS / 1000}s; see ${logFile(context.paths, process_.name)}.`,
    );
  }
  return pid;
}

/**
 * What a process's environment depends on the stack's settings: PostgreSQL by its Unix socket, or
 * PostgreSQL and Redis through the fault proxy, which a drill can take down (docs/drills.md), and
 * where spans go (ADR-0039).
 */
function wantedEnv(context: ComponentContext): Record<string, string> {
  return {
    ...postgresSocketEnv(context.config, context.env),
    ...proxiedEnv(context.config, faultProxyConfig(context.config, context.env)),
    ...tracingEnv(context.config.zipkin.url, context.env),
  };
}

const ROUTING_VARIABLES = ['ATLAS_POSTGRES_URL', 'OTEL_TRACES_EXPORTER'] as const;

/**
 * Whether a running process reaches PostgreSQL and exports spans the way `context` wants (the
 * fault proxy or tracing switched since it started: npm start, then npm test).
 */
function routedAsWanted(context: ComponentContext, name: string): boolean {
  const childPid = keeperState(context.paths.run, name)?.childPid;
  if (!childPid) return true;
  let environ: Map<string, string>;
  try {
    environ = new Map(
      readFileSync(`/proc/${childPid}/environ`, 'utf8')
        .split('\0')
        .map((entry) => {
          const at = entry.indexOf('=');
          return [entry.slice(0, at), entry.slice(at + 1)] as const;
        }),
    );
  } catch {
    return true;
  }
  const wanted = wantedEnv(context);
  return ROUTING_VARIABLES.every(
    (variable) => environ.get(variable) === (wanted[variable] ?? context.env[variable]),
  );
}

async function startOne(context: ComponentContext, process_: LocalProcess): Promise<ProcessStatus> {
  const base = { name: process_.name, address: `http://127.0.0.1:${process_.port}` };
  // The entry path is unique per function, so it doubles as the marker a recycled pid lacks.
  const running = ownedPid(context.paths, process_.name, process_.entryPath);
  let replaced = false;
  if (running !== undefined) {
    const since = launchedAt(context.paths, process_.name) ?? 0;
    // Restarted too when ATLAS_FAULT_PROXY or ATLAS_TRACING changed since it started.
    if (!isStale(since, process_.sourceRoots) && routedAsWanted(context, process_.name))
      return { ...base, state: 'running', pid: running };
    await stopProcess(context.paths, process_.name, running, { graceMs: 10_000 });
    replaced = true;
  }
  try {
    const pid = await launch(context, process_);
    return { ...base, state: replaced ? 'restarted' : 'started', pid };
  } catch (error) {
    return {
      ...base,
      state: 'failed',
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * Starts every function as its own process, as in the cluster. Idempotent, except that a process
 * older than its code is restarted. A function that does not come up is reported as `failed`
 * rather than thrown, so the caller decides whether one broken function stops everything.
 */
export async function startFunctions(context: ComponentContext): Promise<ProcessStatus[]> {
  // Two callers at once (npm start and a test run) would otherwise both launch the same function.
  return withLock(functionsLock(context), async () => {
    const processes = localProcesses(context);
    await buildBundles(processes, bundlesDir(context));
    return Promise.all(processes.map((entry) => startOne(context, entry)));
  });
}

/**
 * Every function process as its keeper sees it: running (with the pid of the process itself),
 * restarting (between an exit and its restart), or down (no keeper); with restarts and the last
 * exit's reason.
 */
export function functionStatuses(context: ComponentContext): ProcessStatus[] {
  return localProcesses(context).map((entry) => {
    const address = `http://127.0.0.1:${entry.port}`;
    const keeper = ownedPid(context.paths, entry.name, entry.entryPath);
    const state = keeper === undefined ? undefined : keeperState(context.paths.run, entry.name);
    const lastExit = describeExit(state);
    return {
      name: entry.name,
      address,
      state: keeper === undefined ? 'down' : state?.childPid ? 'running' : 'restarting',
      ...(state?.childPid ? { pid: state.childPid } : {}),
      ...(state ? { restarts: state.restarts } : {}),
      ...(lastExit ? { lastExit } : {}),
    };
  });
}

/** Stops the function processes this clone started (only those named in `only`, if given), by pid. */
export async function stopFunctions(
  context: ComponentContext,
  only?: ReadonlySet<string>,
): Promise<ProcessStatus[]> {
  // All at once: each takes a second or two to finish what it holds, 32 in a row took 80 s.
  const stopped = await Promise.all(
    localProcesses(context).map(async (entry): Promise<ProcessStatus | undefined> => {
      if (only && !only.has(entry.name)) return undefined;
      const pid = ownedPid(context.paths, entry.name, entry.entryPath);
      if (pid === undefined) return undefined;
      await stopProcess(context.paths, entry.name, pid, { graceMs: 10_000 });
      return {
        name: entry.name,
        address: `http://127.0.0.1:${entry.port}`,
        state: 'stopped',
        pid,
      };
    }),
  );
  return stopped.filter((status) => status !== undefined);
}
