import { createServer, type Server } from 'node:http';
import type { Registry } from '@atlas/observability';
import { ChaosSettingsError, parseChaosSettings, type Chaos } from './chaos.ts';
import type { PartitionLag } from './lag.ts';
import type { SourceHealth } from './sources.ts';

/**
 * `/metrics` (Prometheus text), `/health` (200 while every consumer runs, 503 otherwise) and
 * `/ready` (200 once every consumer has also joined its group, so start-up can wait for delivery);
 * `GET /lag` (each group's lag per partition, JSON);
 * `POST /chaos?seconds=N[&duplicateRate&delayRate&maxDelayMs]` arms injected delivery faults for a
 * drill and `GET /chaos` shows them (chaos.ts). Bound to 127.0.0.1 only.
 * Plain node:http: this is local infrastructure, not a function, and needs no middleware.
 */
export interface StatusServerOptions {
  readonly port: number;
  readonly registry: Registry;
  readonly health: () => readonly SourceHealth[];
  readonly lag: () => Promise<PartitionLag[]>;
  readonly chaos: Chaos;
}

export function startStatusServer({
  port,
  registry,
  health,
  lag,
  chaos,
}: StatusServerOptions): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const json = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (path === '/lag' && request.method === 'GET') {
      lag().then(
        (rows) => json(200, rows),
        (error: unknown) => json(503, { error: String(error) }),
      );
    } else if (path === '/chaos' && request.method === 'GET') {
      json(200, chaos.state() ?? {});
    } else if (path === '/chaos' && request.method === 'POST') {
      request.resume();
      try {
        json(200, chaos.arm(parseChaosSettings(url.searchParams)));
      } catch (error) {
        if (!(error instanceof ChaosSettingsError)) throw error;
        json(400, { error: error.message });
      }
    } else if (request.method === 'GET' && path === '/metrics') {
      registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
    } else if (request.method === 'GET' && (path === '/health' || path === '/ready')) {
      const sources = health();
      const ok = sources.every((source) => source.running && (path === '/health' || source.joined));
      response
        .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ok ? 'ok' : 'degraded', sources }));
    } else {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
