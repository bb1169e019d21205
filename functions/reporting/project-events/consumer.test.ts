import { describe, expect, it } from '@jest/globals';
import { assertSameEventTypes } from '@atlas/messaging';
import definition from './function.json' with { type: 'json' };
import { projectEventsConsumer } from './consumer.ts';

describe('the reporting projector', () => {
  // Every saga event (aggregate Order in the event catalog) is projected: a new one is added to
  // this function.json's eventTypes, or the function refuses to start.
  it('handles exactly the event types its function.json declares', () => {
    expect(() =>
      assertSameEventTypes(definition, projectEventsConsumer().eventTypes),
    ).not.toThrow();
  });
});
