import { describe, expect, it } from '@jest/globals';
import { assertDeclaredAs } from '@atlas/messaging/testing';
import definition from './function.json' with { type: 'json' };
import { requestApprovalConsumer } from './consumer.ts';

describe("the approval requester's declaration", () => {
  it('handles exactly the event types its function.json declares, under its name and service', () => {
    expect(() => assertDeclaredAs(requestApprovalConsumer(1_000_000n), definition)).not.toThrow();
  });
});
