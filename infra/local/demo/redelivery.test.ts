import { describe, expect, it, jest } from '@jest/globals';
import { gatewayClient } from './client.ts';
import { eventRedelivered } from './redelivery.ts';

// Demo 8 against the running system: the steps it prints are the evidence a reader sees.
jest.setTimeout(120_000);

describe('the event redelivery demo', () => {
  it('delivers a consumed PaymentSucceeded again to every consumer, each counts a duplicate, nothing changes', async () => {
    const steps: string[] = [];
    await eventRedelivered.run(gatewayClient(), {
      step: (text) => steps.push(text),
      order: () => undefined,
    });

    const deliveries = steps.filter((step) => step.startsWith('delivered again to'));
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    for (const step of deliveries)
      expect(step).toMatch(
        /: 200, (counted as duplicate 1 time\(s\)$|ignored 1 time\(s\), as the first time)/,
      );
    expect(
      deliveries.filter((step) => step.endsWith('counted as duplicate 1 time(s)')).length,
    ).toBeGreaterThanOrEqual(2);
    expect(steps.at(-1)).toMatch(/nothing changed$/);
  });
});
