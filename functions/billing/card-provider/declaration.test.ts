import { describe, expect, it } from '@jest/globals';
import type { Sql } from '@atlas/db';
import { assertSameEventTypes } from '@atlas/messaging';
import definition from './function.json' with { type: 'json' };
import { cardProviderConsumer } from './card-provider.ts';

// The KafkaSource delivers what function.json declares; the handler handles what its spec lists.
// The function refuses to start when the two differ; this says so before anything starts.
describe("the card provider's declaration", () => {
  it('handles exactly the event types its function.json declares, under its name and service', () => {
    const spec = cardProviderConsumer({} as Sql, {
      secret: 'unused',
      webhookUrl: new URL('http://127.0.0.1:1/'),
    });

    expect(() => assertSameEventTypes(definition, spec.eventTypes)).not.toThrow();
    expect({ name: spec.name, service: spec.service }).toEqual({
      name: definition.name,
      service: definition.service,
    });
  });
});
