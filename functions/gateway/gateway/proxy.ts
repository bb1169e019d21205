import middy from '@middy/core';
import type { TokenVerifier } from '@atlas/auth';
import { DependencyUnavailableError } from '@atlas/errors';
import {
  authenticate,
  createUpstreamClient,
  observe,
  type HttpEvent,
  type HttpEventHandler,
  type HttpResult,
  type Route,
  type UpstreamAnswer,
  type UpstreamCall,
} from '@atlas/http';
import { activeTraceparent, type Logger, type Registry } from '@atlas/observability';
import type { UpstreamRoute } from './routing.ts';

/** What the gateway passes on; everything else stays at the edge. */
const FORWARDED_REQUEST_HEADERS = ['authorization', 'idempotency-key', 'accept', 'atlas-signature'];
const FORWARDED_RESPONSE_HEADERS = [
  'content-type',
  'location',
  'idempotent-replayed',
  'retry-after',
];

export interface GatewayDependencies {
  readonly verifier: TokenVerifier;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly timeoutMs?: number;
}

/**
 * Where a request goes: the route's upstream origin, plus the path and query the caller sent. The
 * caller never chooses the host: serve() admits only origin-form targets (`/v1/…`), and this
 * refuses anything else again rather than let `new URL` resolve a scheme-relative or absolute one.
 */
export function upstreamUrl(route: UpstreamRoute, event: HttpEvent): string {
  if (!event.url.startsWith('/') || event.url.startsWith('//'))
    throw new Error(`gateway: refusing to forward the non-origin-form target ${event.url}`);
  return `${new URL(route.upstream).origin}${event.url}`;
}

async function forward(
  send: UpstreamCall,
  route: UpstreamRoute,
  event: HttpEvent,
  timeoutMs: number,
): Promise<HttpResult> {
  const headers: Record<string, string> = { 'x-correlation-id': event.correlationId };
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = event.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const contentType = event.headers['content-type'];
  if (contentType !== undefined && event.rawBody.length > 0) headers['content-type'] = contentType;
  // The gateway's own span when tracing records; the caller's traceparent passed on when it does not.
  const traceparent = activeTraceparent() ?? event.traceparent;
  if (traceparent) headers['traceparent'] = traceparent;

  let response: UpstreamAnswer;
  try {
    response = await send(upstreamUrl(route, event), {
      method: event.method,
      headers,
      ...(event.rawBody.length > 0 ? { body: event.rawBody } : {}),
      timeoutMs,
    });
  } catch (error) {
    throw new DependencyUnavailableError(
      `${route.method} ${route.path}: the function did not answer`,
      { cause: error },
    );
  }
  const passed: Record<string, string> = {};
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = response.headers[name];
    if (typeof value === 'string') passed[name] = value;
  }
  // Problems pass through unchanged: the function's status, type and detail are the answer.
  return { status: response.status, headers: passed, body: response.body.toString('utf8') };
}

/**
 * One gateway route per upstream route: the caller's token is verified here (services verify it
 * again and check permissions themselves), the correlation id and traceparent are set, and the
 * request goes on as it came.
 */
export function gatewayRoutes(
  routes: readonly UpstreamRoute[],
  dependencies: GatewayDependencies,
): Route[] {
  const send = createUpstreamClient();
  return routes.map((route) => {
    const chain = middy<HttpEvent, HttpResult | undefined>().use(
      observe({
        route: `${route.method} ${route.path}`,
        logger: dependencies.logger,
        registry: dependencies.registry,
      }),
    );
    if (route.requiresToken) chain.use(authenticate(dependencies.verifier));
    const handler = chain.handler((event) =>
      forward(send, route, event, dependencies.timeoutMs ?? 30_000),
    );
    const handle: HttpEventHandler = async (event) => {
      const result = await handler(event, {} as never);
      if (!result)
        throw new Error(`gateway ${route.method} ${route.path}: the chain produced no response`);
      return result;
    };
    return { method: route.method, route: route.path, handle };
  });
}
