import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadStackConfig } from '@atlas/config';
import type { Component, ComponentContext, Env } from './components/component.ts';
import { faultProxy } from './components/fault-proxy.ts';
import { kafka } from './components/kafka.ts';
import { schemaRegistry } from './components/schema-registry.ts';
import { keycloak } from './components/keycloak.ts';
import { postgres } from './components/postgres.ts';
import { redis } from './components/redis.ts';
import { zipkin } from './components/zipkin.ts';
import { InfraError } from './lib/errors.ts';
import { withLock } from './lib/lock.ts';
import { resolvePaths } from './lib/paths.ts';
import { describePortHolder, isPortOpen } from './lib/ports.ts';
import { logFile, ownedPid, recordPid, stopProcess } from './lib/processes.ts';
import { waitUntil } from './lib/wait.ts';

export type ComponentState =
  'started' | 'running' | 'restarted' | 'restarting' | 'external' | 'stopped' | 'down' | 'failed';

export interface ComponentStatus {
  readonly name: string;
  readonly address: string;
  readonly state: ComponentState;
  readonly pid?: number;
  readonly readyMs?: number;
}

function stackLock(context: ComponentContext): string {
  return join(context.paths.run, 'stack.lock');
}

export function stackContext(env: Env = process.env): ComponentContext {
  return { paths: resolvePaths(env), config: loadStackConfig(env), env };
}

/**
 * The stack in start order; PostgreSQL and Redis first because they belong to the machine, the
 * trace backend (off with ATLAS_TRACING=off), and the fault proxy the functions may reach them
 * through last (started only with ATLAS_FAULT_PROXY=on).
 */
export function components(context: ComponentContext): Component[] {
  return [
    postgres(context),
    redis(context),
    kafka(context),
    schemaRegistry(context),
    keycloak(context),
    zipkin(context),
    faultProxy(context),
  ];
}

function tailOf(path: string, lines: number): string {
  if (!existsSync(path)) return '(no log yet)';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Brings one part up (or finds it serving) and waits until it really answers. */
export async function bringUp(
  context: ComponentContext,
  component: Component,
): Promise<ComponentStatus> {
  const base = { name: component.name, address: component.address };
  const pid = ownedPid(context.paths, component.name, component.marker);
  const started = Date.now();

  if (pid === undefined && (await component.probe())) {
    // Serving, but not ours (the machine's PostgreSQL, say): use it, never touch it.
    await component.afterReady?.();
    return { ...base, state: 'external' };
  }

  let trackedPid = pid;
  if (trackedPid === undefined) {
    for (const port of component.ports) {
      if (await isPortOpen(port)) {
        throw new InfraError(
          `${component.name} cannot start: port ${port} is taken by ${describePortHolder(port)}, which does not answer as ${component.name}. Stop it or move ${component.name} to another port (docs/DEVELOPMENT.md).`,
        );
      }
    }
    await component.prepare();
    trackedPid = await component.start();
    recordPid(context.paths, component.name, trackedPid);
  }

  const ownPid = trackedPid;
  const ready = await waitUntil(() => component.probe(), {
    timeoutMs: component.startTimeoutMs,
    intervalMs: 250,
    stillAlive: () => ownedPid(context.paths, component.name, component.marker) === ownPid,
  });
  if (!ready) {
    const log = logFile(context.paths, component.name);
    throw new InfraError(
      `${component.name} did not become ready within ${component.startTimeoutMs / 1000}s. Last lines of ${log}:\n${tailOf(log, 15)}`,
    );
  }
  await component.afterReady?.();
  return {
    ...base,
    state: pid === undefined ? 'started' : 'running',
    pid: ownPid,
    readyMs: Date.now() - started,
  };
}

/**
 * Brings every part up, in parallel, and waits until each really serves. Idempotent: what runs
 * already is left alone. Throws one InfraError naming every part that failed.
 */
export async function up(context: ComponentContext = stackContext()): Promise<ComponentStatus[]> {
  const results = await Promise.allSettled(
    components(context)
      .filter((component) => component.wanted !== false)
      .map((component) => bringUp(context, component)),
  );
  const failures = results.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  if (failures.length > 0) {
    const messages = failures.map((failure) =>
      failure instanceof Error ? failure.message : String(failure),
    );
    throw new InfraError(messages.join('\n\n'), { cause: failures[0] });
  }
  return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}

/** Stops what this clone started, by pid, newest part first. Never touches what it did not start. */
export async function down(
  context: ComponentContext = stackContext(),
  only?: ReadonlySet<string>,
): Promise<ComponentStatus[]> {
  return withLock(stackLock(context), async () => {
    const statuses: ComponentStatus[] = [];
    for (const component of components(context).reverse()) {
      if (only && !only.has(component.name)) continue;
      const pid = ownedPid(context.paths, component.name, component.marker);
      if (pid !== undefined) {
        await stopProcess(context.paths, component.name, pid, {
          signal: component.stopSignal ?? 'SIGTERM',
        });
        statuses.push({ name: component.name, address: component.address, state: 'stopped', pid });
      }
    }
    return statuses;
  });
}

export async function status(
  context: ComponentContext = stackContext(),
): Promise<ComponentStatus[]> {
  const parts = await Promise.all(
    components(context).map(async (component) => {
      const pid = ownedPid(context.paths, component.name, component.marker);
      const serving = await component.probe();
      const state: ComponentState = serving ? (pid === undefined ? 'external' : 'running') : 'down';
      return {
        wanted: component.wanted !== false,
        status: {
          name: component.name,
          address: component.address,
          state,
          ...(pid === undefined ? {} : { pid }),
        },
      };
    }),
  );
  // A part this configuration does not run is listed only while one is left running.
  return parts.flatMap(({ wanted, status }) => (wanted || status.state !== 'down' ? [status] : []));
}

/** The log of a stack part, or of a function process (`fn-<service>-<function>`, `kafka-source`). */
export function logPath(context: ComponentContext, name: string): string {
  const path = logFile(context.paths, name);
  if (components(context).some((component) => component.name === name) || existsSync(path))
    return path;
  throw new InfraError(
    `No log for "${name}"; parts: ${components(context)
      .map((c) => c.name)
      .join(', ')}; function processes are named fn-<service>-<function> (see npm start's output).`,
  );
}
