import { describe, expect, it } from '@jest/globals';
import { assertDeclaredAs } from '@atlas/messaging/testing';
import definition from './function.json' with { type: 'json' };
import { recordAuditConsumer } from './consumer.ts';

describe("the audit recorder's declaration", () => {
  it('handles exactly the event types its function.json declares, under its name and service', () => {
    expect(() => assertDeclaredAs(recordAuditConsumer(), definition)).not.toThrow();
  });
});
