import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  http as registerHttpFunction,
  type Request as FrameworkRequest,
  type Response as FrameworkResponse,
} from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import {
  MethodNotAllowedError,
  NotFoundError,
  PROBLEM_CONTENT_TYPE,
  PayloadTooLargeError,
  toProblem,
  type AtlasError,
} from '@atlas/errors';
import type { Logger, Registry } from '@atlas/observability';
import { BODY_LIMIT_BYTES, ORIGINAL_CONTENT_TYPE_HEADER } from './middleware/json-body.ts';
import { correlationIdFrom } from './middleware/observe.ts';
import { matchRoute } from './route.ts';
import type { HttpEvent, HttpResult } from './types.ts';
import type { HttpEventHandler, HttpMethod } from './http-function.ts';

export interface Route {
  readonly method: HttpMethod;
  readonly route: string;
  readonly handle: HttpEventHandler;
}

/** A dependency the function needs to do its work; `/ready` answers 503 while any check fails. */
export type ReadinessCheck = () => Promise<void>;

export interface ServeOptions {
  /** The function's name (letters, digits, dashes): its Functions Framework registration. */
  readonly name: string;
  readonly routes: readonly Route[];
  readonly logger: Logger;
  readonly registry: Registry;
  readonly readiness?: Readonly<Record<string, ReadinessCheck>>;
  readonly port?: number;
  readonly host?: string;
}

export interface RunningFunction {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

function problemResult(error: AtlasError, instance: string, correlationId: string): HttpResult {
  return {
    status: error.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'x-correlation-id': correlationId },
    body: JSON.stringify(toProblem(error, { instance, correlationId })),
  };
}

function write(res: FrameworkResponse | ServerResponse, result: HttpResult): void {
  res.writeHead(result.status, {
    ...result.headers,
    'content-length': Buffer.byteLength(result.body),
  });
  res.end(result.body);
}

async function readiness(checks: Readonly<Record<string, ReadinessCheck>>): Promise<HttpResult> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref()),
        ]);
        return [name, 'up'] as const;
      } catch {
        return [name, 'down'] as const;
      }
    }),
  );
  const ready = entries.every(([, state]) => state === 'up');
  return {
    status: ready ? 200 : 503,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      status: ready ? 'ready' : 'not ready',
      checks: Object.fromEntries(entries),
    }),
  };
}

function headersOf(req: FrameworkRequest): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers))
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

/**
 * Serves a function's routes, plus `/health`, `/ready` and `/metrics`, on the Functions Framework.
 *
 * The framework parses JSON bodies itself with a 1 GiB limit and answers a malformed body with an
 * HTML page carrying a stack trace, before the function runs. So in front of it we (1) refuse a
 * declared body over 1 MiB with a 413 problem and (2) hand it the body as opaque bytes, keeping
 * the caller's Content-Type aside; the chain then parses and answers with problems of its own.
 */
export async function serve(options: ServeOptions): Promise<RunningFunction> {
  const checks = options.readiness ?? {};
  const respond = async (req: FrameworkRequest): Promise<HttpResult> => {
    const path = req.path;
    if (path === '/health')
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"status":"ok"}',
      };
    if (path === '/ready') return readiness(checks);
    if (path === '/metrics') {
      return {
        status: 200,
        headers: { 'content-type': options.registry.contentType },
        body: await options.registry.metrics(),
      };
    }
    const candidates = options.routes.flatMap((route) => {
      const params = matchRoute(route.route, path);
      return params ? [{ route, params }] : [];
    });
    const match = candidates.find((candidate) => candidate.route.method === req.method);
    if (!match) {
      const error =
        candidates.length > 0
          ? new MethodNotAllowedError(`${req.method} is not allowed on ${path}.`)
          : new NotFoundError(`No resource at ${path}.`);
      return problemResult(
        error,
        req.originalUrl,
        correlationIdFrom(req.headers['x-correlation-id']),
      );
    }
    return match.route.handle({
      method: req.method,
      path,
      url: req.originalUrl,
      headers: headersOf(req),
      rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      query: req.query as HttpEvent['query'],
      params: match.params,
      // observe() replaces it with the caller's or a fresh one; this only satisfies the type.
      correlationId: '',
      logger: options.logger,
    });
  };
  registerHttpFunction(options.name, async (req: FrameworkRequest, res: FrameworkResponse) => {
    const result = await respond(req);
    // Every response carries one, including /health, /ready and /metrics (contract §3).
    const correlationId =
      result.headers['x-correlation-id'] ?? correlationIdFrom(req.headers['x-correlation-id']);
    write(res, { ...result, headers: { ...result.headers, 'x-correlation-id': correlationId } });
  });

  const server = getTestServer(options.name);
  const frameworkListeners = server.listeners('request') as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > BODY_LIMIT_BYTES) {
      res.setHeader('connection', 'close');
      const error = new PayloadTooLargeError(
        `The body has ${declared} bytes; the limit is ${BODY_LIMIT_BYTES}.`,
      );
      write(
        res,
        problemResult(error, req.url ?? '/', correlationIdFrom(req.headers['x-correlation-id'])),
      );
      return;
    }
    const contentType = req.headers['content-type'];
    if (contentType !== undefined) {
      req.headers[ORIGINAL_CONTENT_TYPE_HEADER] = contentType;
      req.headers['content-type'] = 'application/octet-stream';
    }
    for (const listener of frameworkListeners) listener.call(server, req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
