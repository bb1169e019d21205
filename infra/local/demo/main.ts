import { gatewayClient } from './client.ts';
import { renderTable } from '../lib/table.ts';
import { settledTimeline } from './saga.ts';
import { SCENARIOS } from './scenarios.ts';

// `npm run demo`: the sagas of contract §4 against the running system, through the gateway, each
// order's timeline printed as reporting recorded it.
const gateway = gatewayClient();

function sincePlacement(placedAt: number, at: string): string {
  return `+${((Date.parse(at) - placedAt) / 1000).toFixed(3)}s`;
}

async function printTimeline(orderId: string): Promise<void> {
  const events = await settledTimeline(
    gateway,
    orderId,
    ['OrderConfirmed', 'OrderCancelled'],
    15_000,
  );
  const placedAt = Date.parse(events[0]?.occurredAt ?? new Date().toISOString());
  console.log(`\n  timeline of ${orderId} (GET /v1/reports/orders/${orderId}/timeline):`);
  console.log(
    renderTable(
      ['event', 'service', 'since placement'],
      events.map((event) => [
        event.eventType,
        event.producer,
        sincePlacement(placedAt, event.occurredAt),
      ]),
    )
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n'),
  );
}

async function main(): Promise<number> {
  const health = await fetch(`${gateway.url}/health`).catch(() => undefined);
  if (!health?.ok) {
    console.error(`atlas: the gateway does not answer at ${gateway.url}: run npm start first.`);
    return 1;
  }
  const began = Date.now();
  for (const [index, scenario] of SCENARIOS.entries()) {
    console.log(`\n${index + 1}. ${scenario.title}  (${scenario.doc})`);
    const orders: string[] = [];
    await scenario.run(gateway, {
      step: (text) => console.log(`   - ${text}`),
      order: (orderId) => orders.push(orderId),
    });
    for (const orderId of orders) await printTimeline(orderId);
  }
  console.log(
    `\nAll ${SCENARIOS.length} demos ran in ${((Date.now() - began) / 1000).toFixed(1)}s.`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `atlas: the demo failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
