import { describe, expect, it } from '@jest/globals';
import type { Sql } from '@atlas/db';
import { assertDeclaredAs } from '@atlas/messaging/testing';
import definition from './function.json' with { type: 'json' };
import { cardProviderConsumer } from './card-provider.ts';

describe("the card provider's declaration", () => {
  it('handles exactly the event types its function.json declares, under its name and service', () => {
    expect(() =>
      assertDeclaredAs(
        cardProviderConsumer({} as Sql, {
          secret: 'unused',
          webhookUrl: new URL('http://127.0.0.1:1/'),
        }),
        definition,
      ),
    ).not.toThrow();
  });
});
