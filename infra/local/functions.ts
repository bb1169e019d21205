import { join } from 'node:path';
import { loadCatalog } from '@atlas/catalog';
import type { ComponentContext } from './components/component.ts';
import { InfraError } from './lib/errors.ts';
import { describePortHolder, isPortOpen } from './lib/ports.ts';
import { isStale } from './lib/freshness.ts';
import { withLock } from './lib/lock.ts';
import { launchDetached, launchedAt, logFile, ownedPid, stopProcess } from './lib/processes.ts';
import { httpOk, waitUntil } from './lib/wait.ts';
import type { ComponentStatus } from './stack.ts';

export type ProcessStatus = ComponentStatus & { readonly pid?: number; readonly error?: string };

interface LocalProcess {
  readonly name: string;
  readonly entryPath: string;
  readonly port: number;
  /** Where the code it loads lives: a change there after its start makes it stale. */
  readonly sourceRoots: readonly string[];
}

/** Every function of the catalog, plus the local KafkaSource that feeds the Kafka-triggered ones. */
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
  const kafkaSource = {
    name: 'kafka-source',
    entryPath: join(repo, 'infra', 'local', 'kafka-source', 'main.ts'),
    port: Number(context.env['ATLAS_DELIVERY_PORT'] ?? 8099),
    sourceRoots: [...wholeCatalog, join(repo, 'infra', 'local', 'kafka-source')],
  };
  return [...functions, kafkaSource];
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
  const pid = launchDetached(context.paths, process_.name, {
    command: process.execPath,
    args: [process_.entryPath],
    cwd: context.paths.repo,
    env: { PORT: String(process_.port), ATLAS_DELIVERY_PORT: String(process_.port) },
  });
  // Ready, not only alive: a function answers once its database and Redis do, and the KafkaSource
  // once every consumer joined its group, so the first request or event after start is served.
  const healthy = await waitUntil(() => httpOk(`${url}/ready`), {
    timeoutMs: 30_000,
    stillAlive: () => ownedPid(context.paths, process_.name, process_.entryPath) === pid,
  });
  if (!healthy)
    throw new InfraError(
      `${process_.name} was not ready (${url}/ready) within 30s; see ${logFile(context.paths, process_.name)}.`,
    );
  return pid;
}

async function startOne(context: ComponentContext, process_: LocalProcess): Promise<ProcessStatus> {
  const base = { name: process_.name, address: `http://127.0.0.1:${process_.port}` };
  // The entry path is unique per function, so it doubles as the marker a recycled pid lacks.
  const running = ownedPid(context.paths, process_.name, process_.entryPath);
  let replaced = false;
  if (running !== undefined) {
    const since = launchedAt(context.paths, process_.name) ?? 0;
    if (!isStale(since, process_.sourceRoots)) return { ...base, state: 'running', pid: running };
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
  return withLock(functionsLock(context), () =>
    Promise.all(localProcesses(context).map((entry) => startOne(context, entry))),
  );
}

/** Stops the function processes this clone started (only those named in `only`, if given), by pid. */
export async function stopFunctions(
  context: ComponentContext,
  only?: ReadonlySet<string>,
): Promise<ProcessStatus[]> {
  const stopped: ProcessStatus[] = [];
  for (const entry of localProcesses(context)) {
    if (only && !only.has(entry.name)) continue;
    const pid = ownedPid(context.paths, entry.name, entry.entryPath);
    if (pid === undefined) continue;
    await stopProcess(context.paths, entry.name, pid, { graceMs: 10_000 });
    stopped.push({
      name: entry.name,
      address: `http://127.0.0.1:${entry.port}`,
      state: 'stopped',
      pid,
    });
  }
  return stopped;
}
