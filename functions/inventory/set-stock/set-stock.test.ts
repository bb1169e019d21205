import { describe, expect, it } from '@jest/globals';
import { ConflictError } from '@atlas/errors';
import { assertCanSetStock, setStockBodySchema } from './set-stock.ts';

const item = { sku: 'SKU-1', name: 'Teapot', on_hand: 10, reserved: 4 };

describe('setting stock', () => {
  it('accepts any stock for a new item, and stock down to what is reserved for an existing one', () => {
    expect(() => {
      assertCanSetStock(undefined, { onHand: 0 });
    }).not.toThrow();
    expect(() => {
      assertCanSetStock(item, { onHand: 4 });
    }).not.toThrow();
  });

  it('refuses stock below what is reserved', () => {
    expect(() => {
      assertCanSetStock(item, { onHand: 3 });
    }).toThrow(ConflictError);
  });

  it.each([
    ['a negative onHand', { onHand: -1 }],
    ['a fractional onHand', { onHand: 1.5 }],
    ['an onHand beyond an int column', { onHand: 2 ** 31 }],
    ['an empty name', { onHand: 1, name: '' }],
    ['a name over 200 characters', { onHand: 1, name: 'x'.repeat(201) }],
    ['an unknown field', { onHand: 1, colour: 'red' }],
  ])('refuses a body with %s', (_case, body) => {
    expect(setStockBodySchema.safeParse(body).success).toBe(false);
  });
});
