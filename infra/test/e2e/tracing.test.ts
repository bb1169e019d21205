import { describe, expect, it } from '@jest/globals';
import { loadStackConfig } from '@atlas/config';
import type { ZipkinSpan } from '../../cli/spans.ts';
import { orderBody, placeOrder, setStock, waitForOrder } from '../../local/demo/saga.ts';
import { e2eHarness } from './harness.ts';

// One order's saga is one trace, from the gateway through every function, relay and delivery
// (ADR-0039), read back from the Zipkin that `npm start` runs.
const { gateway, track, unique } = e2eHarness();
const zipkin = loadStackConfig().zipkin.url;

/** A span as Zipkin returns it, with the fields this test reads always there. */
type Span = ZipkinSpan & { readonly name: string; readonly localEndpoint: { serviceName: string } };

/** The order's placement trace once it is complete (spans leave each process in batches). */
async function traceOfOrder(orderId: string): Promise<Span[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const search = new URLSearchParams({
      annotationQuery: `atlas.aggregate_id=${orderId} and atlas.event_type=OrderPlaced`,
      lookback: String(3_600_000),
      endTs: String(Date.now()),
    });
    const response = await fetch(`${zipkin}/api/v2/traces?${search.toString()}`);
    expect(response.status).toBe(200);
    const traces = (await response.json()) as Span[][];
    const trace = traces[0] ?? [];
    // Each process sends its spans on its own 2-s schedule: wait until the gateway's root, the
    // OrderConfirmed publish and every parent have all arrived.
    const ids = new Set(trace.map((span) => span.id));
    const complete =
      traces.length === 1 &&
      trace.some(
        (span) => span.kind === 'PRODUCER' && span.tags?.['atlas.event_type'] === 'OrderConfirmed',
      ) &&
      trace.some((span) => span.parentId === undefined) &&
      trace.every((span) => span.parentId === undefined || ids.has(span.parentId));
    if (complete) return trace;
    if (Date.now() > deadline)
      throw new Error(
        `no complete trace of ${orderId} within 30 s (${traces.length} trace(s) found)`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The chain of span names from `span` up to the trace's root. */
function ancestry(span: Span, byId: ReadonlyMap<string, Span>): string[] {
  const chain: string[] = [];
  for (let at: Span | undefined = span; at; at = at.parentId ? byId.get(at.parentId) : undefined)
    chain.unshift(`${at.localEndpoint.serviceName}: ${at.name}`);
  return chain;
}

describe('one trace per order', () => {
  it('follows a placed order from the gateway through every service to OrderConfirmed, each span under its cause', async () => {
    const sku = unique('SKU-TRACE');
    await setStock(gateway, sku, 5, 'Traced item');
    const orderId = track(
      await placeOrder(
        gateway,
        orderBody(unique('cust'), [{ sku, quantity: 1, unitPrice: '3.00' }]),
      ),
    );
    await waitForOrder(gateway, orderId, ['CONFIRMED']);

    const spans = await traceOfOrder(orderId);
    const byId = new Map(spans.map((span) => [span.id, span]));

    // One root, the gateway's; every other span's parent is in the same trace.
    const roots = spans.filter((span) => span.parentId === undefined);
    expect(roots.map((span) => [span.localEndpoint.serviceName, span.name])).toEqual([
      ['gateway-gateway', 'post /v1/orders'],
    ]);
    expect(spans.filter((span) => span.parentId && !byId.has(span.parentId))).toEqual([]);

    // Spans of at least five Atlas services (a function's service is its name's first part).
    const services = new Set(spans.map((span) => span.localEndpoint.serviceName.split('-')[0]));
    for (const service of ['gateway', 'order', 'inventory', 'billing', 'workflow', 'reporting'])
      expect(services).toContain(service);

    // The confirmation descends, hop by hop, from the request that placed the order.
    const confirmation = spans.find(
      (span) => span.kind === 'PRODUCER' && span.tags?.['atlas.event_type'] === 'OrderConfirmed',
    );
    expect(confirmation && ancestry(confirmation, byId)).toEqual([
      'gateway-gateway: post /v1/orders',
      'order-place-order: post /v1/orders',
      'order-outbox-relay: publish orderplaced',
      'kafka-source: deliver orderplaced',
      'inventory-reservations: handle orderplaced',
      'inventory-outbox-relay: publish inventoryreserved',
      'kafka-source: deliver inventoryreserved',
      'billing-invoicing: handle inventoryreserved',
      'billing-outbox-relay: publish invoicecreated',
      'kafka-source: deliver invoicecreated',
      'billing-card-provider: handle invoicecreated',
      'billing-payment-webhook: post /v1/payments/webhook',
      'billing-outbox-relay: publish paymentsucceeded',
      'kafka-source: deliver paymentsucceeded',
      'order-saga-orchestrator: handle paymentsucceeded',
      'order-outbox-relay: publish orderconfirmed',
    ]);

    // Each delivery span names its consumer and how it went, for `atlas trace`.
    const deliveries = spans.filter((span) => span.kind === 'CONSUMER');
    expect(deliveries.length).toBeGreaterThanOrEqual(15);
    for (const delivery of deliveries) {
      expect(delivery.tags?.['atlas.delivery_outcome']).toBe('delivered');
      expect(Number(delivery.tags?.['atlas.delivery_attempts'])).toBeGreaterThanOrEqual(1);
      expect(delivery.tags?.['atlas.consumer']).toMatch(/^[a-z]+-[a-z-]+$/);
    }
  });
});
