import { describe, expect, it } from '@jest/globals';
import { ConflictError } from '@atlas/errors';
import { receiptBodySchema, receiveStock } from './receive-stock.ts';

const item = { sku: 'SKU-1', name: 'Teapot', on_hand: 10, reserved: 4 };

describe('receiving stock', () => {
  it('adds the quantity to what is on hand and reports it', () => {
    expect(receiveStock(item, 5)).toEqual({
      row: { ...item, on_hand: 15 },
      payload: { sku: 'SKU-1', quantity: 5, onHand: 15 },
    });
  });

  it('refuses a receipt that would overflow the stock column', () => {
    expect(() => receiveStock({ ...item, on_hand: 2 ** 31 - 1 }, 1)).toThrow(ConflictError);
  });

  it.each([
    ['a zero quantity', { quantity: 0 }],
    ['a fractional quantity', { quantity: 0.5 }],
    ['a missing quantity', {}],
    ['an unknown field', { quantity: 1, note: 'x' }],
  ])('refuses a body with %s', (_case, body) => {
    expect(receiptBodySchema.safeParse(body).success).toBe(false);
  });
});
