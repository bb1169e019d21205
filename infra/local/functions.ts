import { join } from 'node:path';
import { loadCatalog } from '@atlas/catalog';
import type { ComponentContext } from './components/component.ts';
import { InfraError } from './lib/errors.ts';
import { describePortHolder, isPortOpen } from './lib/ports.ts';
import { launchDetached, logFile, ownedPid, stopProcess } from './lib/processes.ts';
import { httpOk, waitUntil } from './lib/wait.ts';
import type { ComponentStatus } from './stack.ts';

type ProcessStatus = ComponentStatus & { readonly pid: number };

interface LocalProcess {
  readonly name: string;
  readonly entryPath: string;
  readonly port: number;
}

/** Every function of the catalog, plus the local KafkaSource that feeds the Kafka-triggered ones. */
function localProcesses(context: ComponentContext): LocalProcess[] {
  const functions = loadCatalog().map((entry) => ({
    name: `fn-${entry.qualifiedName}`,
    entryPath: entry.entryPath,
    port: entry.port,
  }));
  const kafkaSource = {
    name: 'kafka-source',
    entryPath: join(context.paths.repo, 'infra', 'local', 'kafka-source', 'main.ts'),
    port: Number(context.env['ATLAS_DELIVERY_PORT'] ?? 8099),
  };
  return [...functions, kafkaSource];
}

async function startOne(context: ComponentContext, process_: LocalProcess): Promise<ProcessStatus> {
  const url = `http://127.0.0.1:${process_.port}`;
  // The entry path is unique per function, so it doubles as the marker a recycled pid lacks.
  const running = ownedPid(context.paths, process_.name, process_.entryPath);
  if (running !== undefined)
    return { name: process_.name, address: url, state: 'running', pid: running };
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
  const healthy = await waitUntil(() => httpOk(`${url}/health`), {
    timeoutMs: 30_000,
    stillAlive: () => ownedPid(context.paths, process_.name, process_.entryPath) === pid,
  });
  if (!healthy)
    throw new InfraError(
      `${process_.name} did not answer ${url}/health within 30s; see ${logFile(context.paths, process_.name)}.`,
    );
  return { name: process_.name, address: url, state: 'started', pid };
}

/** Starts every function as its own process, as in the cluster (idempotent). */
export async function startFunctions(context: ComponentContext): Promise<ProcessStatus[]> {
  return Promise.all(localProcesses(context).map((entry) => startOne(context, entry)));
}

/** Stops the function processes this clone started, by pid. */
export async function stopFunctions(context: ComponentContext): Promise<ProcessStatus[]> {
  const stopped: ProcessStatus[] = [];
  for (const entry of localProcesses(context)) {
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
