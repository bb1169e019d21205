import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  BadRequestError,
  InternalError,
  MethodNotAllowedError,
  NotFoundError,
  PROBLEM_CONTENT_TYPE,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  toProblem,
  type AtlasError,
} from '@atlas/errors';
import {
  SpanKind,
  inSpan,
  markActiveSpanStatus,
  type Logger,
  type Registry,
} from '@atlas/observability';
import { BODY_LIMIT_BYTES } from './middleware/json-body.ts';
import { correlationIdFrom } from './middleware/observe.ts';
import { matchRoute } from './route.ts';
import type { HttpResult } from './types.ts';
import type { HttpEventHandler, HttpMethod } from './http-function.ts';

export interface Route {
  readonly method: HttpMethod;
  readonly route: string;
  readonly handle: HttpEventHandler;
}

/** A dependency the function needs to do its work; `/ready` answers 503 while any check fails. */
export type ReadinessCheck = () => Promise<void>;

export interface ServeOptions {
  /** The function's name (letters, digits, dashes), for its logs. */
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

function write(res: ServerResponse, result: HttpResult): void {
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

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers))
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

function queryOf(search: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of search) {
    const earlier = query[name];
    query[name] = earlier === undefined ? value : [...[earlier].flat(), value];
  }
  return query;
}

/**
 * Only the origin form (`/path?query`) names a resource here. The absolute form
 * (`http://host/path`) would let a caller choose the host a proxying function forwards to, and
 * the authority and asterisk forms mean nothing to a function; all three are refused.
 */
function parseTarget(target: string): URL | undefined {
  if (!target.startsWith('/') || target.startsWith('//')) return undefined;
  try {
    return new URL(target, 'http://function.invalid');
  } catch {
    return undefined;
  }
}

/**
 * Reads the body up to the contract's 1 MiB, counted on the bytes received whatever the framing
 * (Content-Length or chunked); crossing it rejects at once. Encoded bodies are refused rather than
 * inflated: no client of this API needs them, and an inflater is where zip bombs go off.
 */
function readBody(req: IncomingMessage): Promise<Buffer> {
  const encoding = req.headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity')
    return Promise.reject(
      new UnsupportedMediaTypeError(
        `Content-Encoding "${encoding}" is not accepted; send the body unencoded.`,
      ),
    );
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT_BYTES)
    return Promise.reject(
      new PayloadTooLargeError(`The body has ${declared} bytes; the limit is ${BODY_LIMIT_BYTES}.`),
    );
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > BODY_LIMIT_BYTES) {
        req.off('data', onData);
        req.pause();
        reject(
          new PayloadTooLargeError(`The body exceeds the limit of ${BODY_LIMIT_BYTES} bytes.`),
        );
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () =>
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
    );
    req.once('error', reject);
  });
}

/**
 * Serves a function's routes, plus `/health`, `/ready` and `/metrics`, on Node's own HTTP server
 * (ADR-0030): what Knative and OpenFaaS need of a function is HTTP on `$PORT`, nothing more.
 * Every answer, including the transport's own (bad target, too large, unknown route, a request
 * the parser cannot read), is an RFC 7807 problem carrying `X-Correlation-Id`.
 */
export async function serve(options: ServeOptions): Promise<RunningFunction> {
  const checks = options.readiness ?? {};
  const respond = async (req: IncomingMessage, target: URL): Promise<HttpResult> => {
    const path = target.pathname;
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
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const candidates = options.routes.flatMap((route) => {
      const params = matchRoute(route.route, path);
      return params ? [{ route, params }] : [];
    });
    const match = candidates.find((candidate) => candidate.route.method === method);
    if (!match) {
      const error =
        candidates.length > 0
          ? new MethodNotAllowedError(`${method} is not allowed on ${path}.`)
          : new NotFoundError(`No resource at ${path}.`);
      return problemResult(error, url, correlationIdFrom(req.headers['x-correlation-id']));
    }
    const headers = headersOf(req);
    const rawBody = await readBody(req);
    // One server span per request, child of the caller's traceparent (a CloudEvent's, for a
    // delivery), active while the handler runs so what it emits carries the trace on.
    return inSpan(
      { name: `${method} ${match.route.route}`, kind: SpanKind.SERVER, parent: headers },
      async () => {
        const result = await match.route.handle({
          method,
          path,
          url,
          headers,
          rawBody,
          query: queryOf(target.searchParams),
          params: match.params,
          // observe() replaces it with the caller's or a fresh one; this only satisfies the type.
          correlationId: '',
          logger: options.logger,
        });
        markActiveSpanStatus(result.status);
        return result;
      },
    );
  };

  const server = createServer((req, res) => {
    const correlationId = correlationIdFrom(req.headers['x-correlation-id']);
    const instance = req.url ?? '/';
    const fail = (error: AtlasError): void => {
      // The rest of an unread body would be taken for the next request on this connection.
      if (!req.complete) res.setHeader('connection', 'close');
      write(res, problemResult(error, instance, correlationId));
    };
    const target = parseTarget(instance);
    if (!target) {
      fail(
        new BadRequestError('The request target must be an origin-form path such as /v1/orders.'),
      );
      return;
    }
    respond(req, target).then(
      (result) => {
        // Every response carries one, including /health, /ready and /metrics (contract §3).
        const headers = { 'x-correlation-id': correlationId, ...result.headers };
        write(res, { ...result, headers });
      },
      (error: unknown) => {
        if (error instanceof PayloadTooLargeError || error instanceof UnsupportedMediaTypeError) {
          fail(error);
          return;
        }
        options.logger.error({ err: error, correlationId, outcome: 'failed' }, 'request failed');
        fail(new InternalError('The function failed; the details are in its log.'));
      },
    );
  });
  // What Node's parser cannot read (bad header, bad chunk framing) ends as a problem, not a bare 400.
  server.on('clientError', (_error: Error, socket: Socket) => {
    if (!socket.writable) return;
    const problem = problemResult(
      new BadRequestError('The request is not well-formed HTTP/1.1.'),
      '/',
      correlationIdFrom(undefined),
    );
    const head = Object.entries(problem.headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.end(
      `HTTP/1.1 400 Bad Request\r\n${head.join('')}content-length: ${Buffer.byteLength(problem.body)}\r\n` +
        `connection: close\r\n\r\n${problem.body}`,
    );
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
