import { describe, expect, it } from '@jest/globals';
import { assertSameEventTypes } from '@atlas/messaging';
import definition from './function.json' with { type: 'json' };
import { invoicingConsumer } from './invoicing.ts';

// The KafkaSource delivers what function.json declares; the handler handles what its spec lists.
// The function refuses to start when the two differ; this says so before anything starts.
describe("the invoicing consumer's declaration", () => {
  it('handles exactly the event types its function.json declares, under its name and service', () => {
    const spec = invoicingConsumer();

    expect(() => assertSameEventTypes(definition, spec.eventTypes)).not.toThrow();
    expect({ name: spec.name, service: spec.service }).toEqual({
      name: definition.name,
      service: definition.service,
    });
  });
});
