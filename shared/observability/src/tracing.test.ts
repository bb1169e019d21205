import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { loadStackConfig } from '@atlas/config';
import {
  SpanKind,
  TracingConfigError,
  activeTraceparent,
  inSpan,
  openSpan,
  startTracing,
  tagActiveSpan,
  traceExportFrom,
} from './tracing.ts';

describe('traceExportFrom', () => {
  it('exports nothing unless told to', () => {
    expect(traceExportFrom({})).toEqual({ exporter: 'none' });
    expect(traceExportFrom({ OTEL_TRACES_EXPORTER: 'none' })).toEqual({ exporter: 'none' });
  });

  it('reads the standard OpenTelemetry variables for Zipkin and OTLP', () => {
    expect(traceExportFrom({ OTEL_TRACES_EXPORTER: 'zipkin' })).toEqual({
      exporter: 'zipkin',
      url: 'http://127.0.0.1:9411/api/v2/spans',
      ratio: 1,
    });
    expect(
      traceExportFrom({
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }),
    ).toEqual({ exporter: 'otlp', url: 'http://collector:4318/v1/traces', ratio: 0.25 });
    expect(
      traceExportFrom({
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom',
      }),
    ).toMatchObject({ url: 'http://traces:4318/custom' });
  });

  it('refuses an exporter it does not have and a ratio outside 0..1', () => {
    expect(() => traceExportFrom({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(TracingConfigError);
    expect(() =>
      traceExportFrom({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_TRACES_SAMPLER_ARG: '2' }),
    ).toThrow(/not a ratio/);
    expect(() =>
      traceExportFrom({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_TRACES_SAMPLER_ARG: 'half' }),
    ).toThrow(/not a ratio/);
  });
});

interface StoredSpan {
  readonly id: string;
  readonly parentId?: string;
  readonly name: string;
  readonly kind?: string;
  readonly localEndpoint: { readonly serviceName: string };
  readonly tags?: Readonly<Record<string, string>>;
}

async function storedTrace(zipkin: string, traceId: string, spans: number): Promise<StoredSpan[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await fetch(`${zipkin}/api/v2/trace/${traceId}`);
    const found = response.ok ? ((await response.json()) as StoredSpan[]) : [];
    if (found.length >= spans || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('spans across processes (the real Zipkin of the stack)', () => {
  const zipkin = loadStackConfig().zipkin.url;
  const traceId = randomBytes(16).toString('hex');
  const callerSpanId = randomBytes(8).toString('hex');
  // What a record's `ce_traceparent` carries: the publish span of another process.
  const published = `00-${traceId}-${callerSpanId}-01`;

  it('costs nothing and propagates nothing before tracing starts', async () => {
    const seen = await inSpan(
      { name: 'untraced', kind: SpanKind.SERVER, parent: { traceparent: published } },
      () => Promise.resolve(activeTraceparent()),
    );
    expect(seen).toBeUndefined();
  });

  it('records a delivery under the CloudEvent traceparent, its work under it, and failures', async () => {
    const tracing = startTracing('atlas-tracing-test', {
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${zipkin}/api/v2/spans`,
    });
    let handled: string | undefined;
    let published2: string | undefined;

    await inSpan(
      { name: 'POST /', kind: SpanKind.SERVER, parent: { 'ce-traceparent': published } },
      async () => {
        handled = activeTraceparent();
        tagActiveSpan({ 'atlas.event_type': 'OrderPlaced' }, 'handle OrderPlaced');
        // The outbox row keeps `handled`; the relay's publish span is its child.
        const publish = openSpan({ name: 'publish X', kind: SpanKind.PRODUCER, parent: handled });
        published2 = publish.traceparent;
        publish.span.end();
      },
    );
    const failure = await inSpan(
      { name: 'failing', kind: SpanKind.INTERNAL, parent: published },
      () => Promise.reject(new Error('boom')),
    ).catch((error: unknown) => error);
    await tracing.shutdown();

    expect(failure).toEqual(new Error('boom'));
    expect(handled).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(published2).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const handleSpanId = handled?.split('-')[2];
    const publishSpanId = published2?.split('-')[2];
    const spans = await storedTrace(zipkin, traceId, 3);
    const byName = Object.fromEntries(spans.map((span) => [span.name, span]));
    expect(byName['handle orderplaced']).toMatchObject({
      id: handleSpanId,
      parentId: callerSpanId,
      kind: 'SERVER',
      localEndpoint: { serviceName: 'atlas-tracing-test' },
      tags: { 'atlas.event_type': 'OrderPlaced' },
    });
    expect(byName['publish x']).toMatchObject({
      id: publishSpanId,
      parentId: handleSpanId,
      kind: 'PRODUCER',
    });
    expect(byName['failing']).toMatchObject({ parentId: callerSpanId });
    expect(byName['failing']?.tags).toMatchObject({ 'otel.status_code': 'ERROR', error: 'boom' });
  });
});
