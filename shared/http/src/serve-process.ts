import { startTracing, type Logger, type Registry } from '@atlas/observability';
import { serve, type ReadinessCheck, type Route, type RunningFunction } from './serve.ts';

export interface FunctionProcessOptions {
  readonly service: string;
  readonly name: string;
  /** The catalog's local port; `PORT` overrides it (every function listens on 8080 in the cluster). */
  readonly port: number;
  readonly routes: readonly Route[];
  readonly logger: Logger;
  readonly registry: Registry;
  readonly readiness?: Readonly<Record<string, ReadinessCheck>>;
  /** Releases what the function holds (pools, clients) after the server stopped taking requests. */
  readonly onShutdown?: () => Promise<void>;
}

/**
 * Serves a function as a process: binds `PORT` (or the catalog port) on `ATLAS_BIND_HOST`
 * (127.0.0.1 unless a container sets 0.0.0.0), logs that it started, and on SIGTERM/SIGINT stops
 * taking requests before releasing its resources and sending its last spans.
 */
export async function serveFunctionProcess(
  options: FunctionProcessOptions,
): Promise<RunningFunction> {
  const tracing = startTracing(`${options.service}-${options.name}`);
  const running = await serve({
    name: `${options.service}-${options.name}`,
    routes: options.routes,
    logger: options.logger,
    registry: options.registry,
    port: Number(process.env['PORT'] ?? options.port),
    host: process.env['ATLAS_BIND_HOST'] ?? '127.0.0.1',
    ...(options.readiness ? { readiness: options.readiness } : {}),
  });
  options.logger.info({ url: running.url, outcome: 'started' }, 'function started');
  const shutdown = async (): Promise<void> => {
    await running.close();
    await options.onShutdown?.();
    await tracing.shutdown();
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
  return running;
}
