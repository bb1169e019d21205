import { describe, expect, it } from '@jest/globals';
import { skuSchema, toItem } from './index.ts';

describe('an inventory item', () => {
  it.each(['A', 'SKU-TEAPOT', 'sku_1.2-b', `a${'b'.repeat(63)}`])('accepts the SKU %s', (sku) => {
    expect(skuSchema.safeParse(sku).success).toBe(true);
  });

  it.each(['', '-leading-dash', '.hidden', 'with space', 'ümlaut', `a${'b'.repeat(64)}`])(
    'refuses the SKU "%s"',
    (sku) => {
      expect(skuSchema.safeParse(sku).success).toBe(false);
    },
  );

  it('answers what is available besides what is on hand and reserved', () => {
    expect(toItem({ sku: 'SKU-1', name: 'Teapot', on_hand: 10, reserved: 3 })).toEqual({
      sku: 'SKU-1',
      name: 'Teapot',
      onHand: 10,
      reserved: 3,
      available: 7,
    });
  });
});
