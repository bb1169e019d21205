import { randomUUID } from 'node:crypto';
import type { MiddlewareObj, Request } from '@middy/core';
import { PROBLEM_CONTENT_TYPE, asAtlasError, toProblem } from '@atlas/errors';
import { counter, gauge, histogram, type Logger, type Registry } from '@atlas/observability';
import type { HttpEvent, HttpResult } from '../types.ts';

// W3C trace context: version-traceid-parentid-flags, lower-case hex.
const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;
// Anything a caller sends as a correlation id ends up in our logs, so keep it short and plain.
const CORRELATION_ID = /^[\w.:-]{1,128}$/;

/** The caller's `X-Correlation-Id` when it is acceptable, otherwise a new one (contract §3). */
export function correlationIdFrom(offered: string | string[] | undefined): string {
  return typeof offered === 'string' && CORRELATION_ID.test(offered) ? offered : randomUUID();
}

export interface ObserveOptions {
  readonly route: string;
  readonly logger: Logger;
  readonly registry: Registry;
}

type HttpRequest = Request<HttpEvent, HttpResult | undefined>;

/**
 * The outermost middleware: correlation id and traceparent in and out, one log line and one
 * latency observation per request, and the RFC 7807 problem for whatever went wrong inside.
 */
export function observe(options: ObserveOptions): MiddlewareObj<HttpEvent, HttpResult | undefined> {
  const duration = histogram(
    options.registry,
    'atlas_http_request_duration_seconds',
    'HTTP request duration',
    ['route', 'method', 'status'],
  );
  const inFlight = gauge(
    options.registry,
    'atlas_http_requests_in_flight',
    'HTTP requests being handled',
    ['route'],
  );
  const failures = counter(
    options.registry,
    'atlas_http_server_errors_total',
    'HTTP requests answered with 5xx',
    ['route'],
  );
  const startedAt = new WeakMap<HttpEvent, bigint>();

  const finish = (request: HttpRequest, response: HttpResult): HttpResult => {
    const { event } = request;
    const seconds =
      Number(process.hrtime.bigint() - (startedAt.get(event) ?? process.hrtime.bigint())) / 1e9;
    const labels = { route: options.route, method: event.method, status: String(response.status) };
    duration.observe(labels, seconds);
    inFlight.dec({ route: options.route });
    const outcome = response.status < 400 ? 'ok' : response.status < 500 ? 'rejected' : 'failed';
    const line = {
      route: options.route,
      method: event.method,
      status: response.status,
      outcome,
      latencyMs: Math.round(seconds * 1e4) / 10,
    };
    if (response.status >= 500) {
      failures.inc({ route: options.route });
      event.logger.error({ ...line, err: request.error }, 'request failed');
    } else {
      event.logger.info(line, 'request handled');
    }
    return {
      ...response,
      headers: {
        ...response.headers,
        'x-correlation-id': event.correlationId,
        ...(event.traceparent ? { traceparent: event.traceparent } : {}),
      },
    };
  };

  return {
    name: 'observe',
    before: (request) => {
      const { event } = request;
      startedAt.set(event, process.hrtime.bigint());
      inFlight.inc({ route: options.route });
      event.correlationId = correlationIdFrom(event.headers['x-correlation-id']);
      const traceparent = event.headers['traceparent']?.toLowerCase();
      if (traceparent && TRACEPARENT.test(traceparent)) event.traceparent = traceparent;
      event.logger = options.logger.child({ correlationId: event.correlationId });
    },
    after: (request) => {
      if (request.response) request.response = finish(request, request.response);
    },
    onError: (request) => {
      const error = asAtlasError(request.error);
      const problem = toProblem(error, {
        instance: request.event.url,
        correlationId: request.event.correlationId,
      });
      request.response = finish(request, {
        status: problem.status,
        headers: { 'content-type': PROBLEM_CONTENT_TYPE },
        body: JSON.stringify(problem),
      });
    },
  };
}
