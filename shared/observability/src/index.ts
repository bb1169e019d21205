export { createLogger } from './logger.ts';
export type { Logger, LogContext, LoggerOptions } from './logger.ts';
export {
  Counter,
  Gauge,
  Histogram,
  LATENCY_BUCKETS_SECONDS,
  Registry,
  counter,
  createMetricsRegistry,
  gauge,
  histogram,
} from './metrics.ts';
export {
  SpanKind,
  SpanStatusCode,
  TracingConfigError,
  activeTraceparent,
  inSpan,
  markActiveSpanStatus,
  openSpan,
  startTracing,
  tagActiveSpan,
  traceExportFrom,
} from './tracing.ts';
export type { Span, SpanOptions, TraceExport, Tracing } from './tracing.ts';
