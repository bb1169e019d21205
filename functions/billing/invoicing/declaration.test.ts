import { describe, expect, it } from '@jest/globals';
import { assertDeclaredAs } from '@atlas/messaging/testing';
import definition from './function.json' with { type: 'json' };
import { invoicingConsumer } from './invoicing.ts';

describe("the invoicing consumer's declaration", () => {
  it('handles exactly the event types its function.json declares, under its name and service', () => {
    expect(() => assertDeclaredAs(invoicingConsumer(), definition)).not.toThrow();
  });
});
