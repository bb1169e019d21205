import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, ComponentContext, Env } from './component.ts';
import { InfraError } from '../lib/errors.ts';
import { findJdk, smallServerJvmFlags } from '../lib/java.ts';
import { resolveArtifact } from '../lib/maven.ts';
import { launchDetached, processMarker } from '../lib/processes.ts';
import { httpOk } from '../lib/wait.ts';
import { ARTIFACTS } from '../versions.ts';

/** Whether `npm start` runs the trace backend and points every process at it (ADR-0039). */
export function tracingWanted(env: Env): boolean {
  const setting = env['ATLAS_TRACING'] ?? 'on';
  if (setting !== 'on' && setting !== 'off')
    throw new InfraError(`ATLAS_TRACING must be "on" or "off", got "${setting}"`);
  return setting === 'on';
}

/**
 * The OpenTelemetry variables a local process gets: export to the local Zipkin while tracing is on,
 * nothing while it is off. Variables the user set (an OTLP collector of their own) win.
 */
export function tracingEnv(zipkinUrl: string, env: Env): Record<string, string> {
  if (env['OTEL_TRACES_EXPORTER'] !== undefined) return {};
  if (!tracingWanted(env)) return { OTEL_TRACES_EXPORTER: 'none' };
  return {
    OTEL_TRACES_EXPORTER: 'zipkin',
    OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${zipkinUrl}/api/v2/spans`,
  };
}

/**
 * Zipkin's server from Maven Central, keeping spans in memory: the trace backend every function,
 * relay and the KafkaSource export to, so one order's saga can be read as one trace (its UI at
 * the address, `atlas trace` links there). Off with ATLAS_TRACING=off.
 */
export function zipkin({ paths, config, env }: ComponentContext): Component {
  const url = new URL(config.zipkin.url);
  const port = Number(url.port || 80);
  const marker = processMarker('zipkin');
  return {
    name: 'zipkin',
    address: config.zipkin.url,
    ports: [port],
    marker,
    wanted: tracingWanted(env),
    startTimeoutMs: 90_000,
    probe: () => httpOk(`${config.zipkin.url}/health`),
    async prepare() {
      await resolveArtifact(paths, ARTIFACTS.zipkin, env);
    },
    async start() {
      const jdk = findJdk(17, 'Zipkin', 'ATLAS_ZIPKIN_JAVA_HOME', env);
      const workDir = join(paths.data, 'zipkin');
      mkdirSync(workDir, { recursive: true });
      return launchDetached(paths, 'zipkin', {
        command: jdk.java,
        args: [
          marker,
          ...smallServerJvmFlags('256m'),
          '-jar',
          await resolveArtifact(paths, ARTIFACTS.zipkin, env),
          `--armeria.ports[0].ip=${url.hostname}`,
          `--armeria.ports[0].port=${port}`,
        ],
        cwd: workDir,
        env: {
          STORAGE_TYPE: 'mem',
          // About 40 spans an order: the last ~2,500 orders stay searchable within the heap.
          MEM_MAX_SPANS: '100000',
          QUERY_PORT: String(port),
        },
      });
    },
  };
}
