import {
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  INVALID_SPAN_CONTEXT,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';

export { SpanKind, SpanStatusCode };
export type { Span };

type Env = Readonly<Record<string, string | undefined>>;

/** Where spans go, from the standard OpenTelemetry variables (ADR-0039). */
export type TraceExport =
  | { readonly exporter: 'none' }
  | { readonly exporter: 'zipkin' | 'otlp'; readonly url: string; readonly ratio: number };

export class TracingConfigError extends Error {
  readonly code = 'ATLAS_TRACING_CONFIG_INVALID';
}

/**
 * Reads `OTEL_TRACES_EXPORTER` (`zipkin`, `otlp` or `none`, the default), the exporter's endpoint
 * (`OTEL_EXPORTER_ZIPKIN_ENDPOINT`; `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`) and the share of new traces kept
 * (`OTEL_TRACES_SAMPLER_ARG`, 0–1, default 1; a caller's sampling decision is always followed).
 */
export function traceExportFrom(env: Env): TraceExport {
  const exporter = (env['OTEL_TRACES_EXPORTER'] ?? 'none').trim().toLowerCase();
  if (exporter === 'none' || exporter === '') return { exporter: 'none' };
  const ratioText = env['OTEL_TRACES_SAMPLER_ARG'] ?? '1';
  const ratio = Number(ratioText);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1)
    throw new TracingConfigError(`OTEL_TRACES_SAMPLER_ARG=${ratioText} is not a ratio in 0..1`);
  if (exporter === 'zipkin') {
    const url = env['OTEL_EXPORTER_ZIPKIN_ENDPOINT'] ?? 'http://127.0.0.1:9411/api/v2/spans';
    return { exporter, url, ratio };
  }
  if (exporter === 'otlp') {
    const base = env['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? 'http://127.0.0.1:4318';
    const url = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ?? `${base.replace(/\/$/, '')}/v1/traces`;
    return { exporter, url, ratio };
  }
  throw new TracingConfigError(
    `OTEL_TRACES_EXPORTER=${exporter} is not supported: use zipkin, otlp or none`,
  );
}

export interface Tracing {
  /** Sends the spans still buffered; call before the process exits. */
  shutdown(): Promise<void>;
}

let started: Tracing | undefined;
/**
 * Whether spans are recorded: off, `inSpan` and `openSpan` skip the span and its context
 * entirely, so a delivery or request pays nothing for tracing it does not do.
 */
let recording = false;
/** What `inSpan` hands its work when nothing is recorded. */
const NOT_RECORDED: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Registers the process's tracer provider, once. With no exporter configured nothing is
 * registered and every helper below costs a no-op call: spans are neither recorded nor propagated,
 * and a caller's `traceparent` is passed on as it came (observe middleware).
 */
export function startTracing(serviceName: string, env: Env = process.env): Tracing {
  if (started) return started;
  const settings = traceExportFrom(env);
  if (settings.exporter === 'none') {
    started = { shutdown: () => Promise.resolve() };
    return started;
  }
  const exporter: SpanExporter =
    settings.exporter === 'zipkin'
      ? new ZipkinExporter({ url: settings.url, serviceName })
      : new OTLPTraceExporter({ url: settings.url });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'service.namespace': 'atlas' }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.ratio) }),
    // Spans leave in batches every 2 s, so a delivery never waits on the trace backend. The queue
    // holds what the busiest process (the KafkaSource, ~25 spans an order) makes in those 2 s at
    // a few hundred orders/s; past it, spans are dropped rather than slowing the work.
    spanProcessors: [
      new BatchSpanProcessor({
        exporter,
        scheduledDelayMillis: 2_000,
        maxQueueSize: 16_384,
        maxExportBatchSize: 2_048,
      }),
    ],
  });
  recording = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  started = { shutdown: () => provider.shutdown() };
  return started;
}

// One tracer for the process, taken once: it follows the provider `startTracing` registers later,
// so no span pays a tracer lookup.
const tracer = trace.getTracer('atlas');

type Carrier = Readonly<Record<string, string | undefined>>;

/**
 * The trace context a W3C `traceparent` (and `tracestate`) names. CloudEvents carry them as the
 * distributed-tracing extension, so `ce-traceparent` is read when no plain header is there.
 */
function contextFrom(headers: Carrier): Context {
  const traceparent = headers['traceparent'] ?? headers['ce-traceparent'];
  if (!traceparent) return context.active();
  const tracestate = headers['traceparent'] ? headers['tracestate'] : headers['ce-tracestate'];
  return propagation.extract(context.active(), {
    traceparent,
    ...(tracestate ? { tracestate } : {}),
  });
}

/** The `traceparent` of the active span, for a message or request leaving this process. */
export function activeTraceparent(active: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  return carrier['traceparent'];
}

export interface SpanOptions {
  readonly name: string;
  readonly kind: SpanKind;
  /** The remote parent: a `traceparent` (a message's) or request headers. */
  readonly parent?: string | Carrier | undefined;
  readonly attributes?: Attributes;
}

/** Starts a span under its remote parent (a `traceparent`, or headers), else the active span. */
function startSpan(options: SpanOptions): { parent: Context; span: Span } {
  const parent =
    options.parent === undefined
      ? context.active()
      : contextFrom(
          typeof options.parent === 'string' ? { traceparent: options.parent } : options.parent,
        );
  const span = tracer.startSpan(
    options.name,
    { kind: options.kind, ...(options.attributes ? { attributes: options.attributes } : {}) },
    parent,
  );
  return { parent, span };
}

/**
 * Runs `work` inside a new span (active for everything it awaits) and ends the span when it
 * settles; a rejection marks the span as an error and is rethrown.
 */
export async function inSpan<T>(
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  if (!recording) return work(NOT_RECORDED);
  const { parent, span } = startSpan(options);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A span that outlives one call (a relay's publish span ends at the broker's acknowledgement);
 * the caller ends it. Its `traceparent` goes on the message it publishes.
 */
export function openSpan(options: SpanOptions): { span: Span; traceparent: string | undefined } {
  // Not recorded here, the message still carries its cause's context on, as it came.
  if (!recording)
    return {
      span: NOT_RECORDED,
      traceparent: typeof options.parent === 'string' ? options.parent : undefined,
    };
  const { parent, span } = startSpan(options);
  return { span, traceparent: activeTraceparent(trace.setSpan(parent, span)) };
}

/**
 * Adds attributes to the span the caller runs in (the request's or the delivery's), and renames it
 * when the caller knows better what it does than the route it came in by.
 */
export function tagActiveSpan(attributes: Attributes, name?: string): void {
  const span = trace.getActiveSpan();
  span?.setAttributes(attributes);
  if (name) span?.updateName(name);
}

/** Marks the active span failed when the answer is a server error, as OpenTelemetry's HTTP rules say. */
export function markActiveSpanStatus(status: number): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
}
