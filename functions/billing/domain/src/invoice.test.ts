import { describe, expect, it } from '@jest/globals';
import { ConflictError } from '@atlas/errors';
import { callbackEffect, compensationFor, statusAfter } from './invoice.ts';

describe('an invoice', () => {
  it.each([
    ['OPEN', 'VOID'],
    ['PAID', 'REFUND'],
    ['VOIDED', 'NONE'],
    ['REFUNDED', 'NONE'],
  ] as const)('answers a void or refund request when %s with %s', (status, compensation) => {
    expect(compensationFor(status)).toBe(compensation);
  });

  it.each([
    ['VOID', 'VOIDED'],
    ['REFUND', 'REFUNDED'],
    ['PAY', 'PAID'],
    ['PAY_AND_REFUND', 'REFUNDED'],
  ] as const)('ends %s in %s', (effect, status) => {
    expect(statusAfter(effect)).toBe(status);
  });

  describe('taking a provider callback', () => {
    it('becomes paid on a success while OPEN', () => {
      expect(callbackEffect('OPEN', 'succeeded', 'ch_1', null)).toBe('PAY');
    });

    it('records and refunds at once a success that arrives after it was voided', () => {
      expect(callbackEffect('VOIDED', 'succeeded', 'ch_1', null)).toBe('PAY_AND_REFUND');
    });

    it('ignores the same payment reported again under another callback id', () => {
      expect(callbackEffect('PAID', 'succeeded', 'ch_1', 'ch_1')).toBe('IGNORE');
      expect(callbackEffect('REFUNDED', 'succeeded', 'ch_1', 'ch_1')).toBe('IGNORE');
    });

    it('refuses a second, different payment', () => {
      expect(() => callbackEffect('PAID', 'succeeded', 'ch_2', 'ch_1')).toThrow(ConflictError);
    });

    it('refuses a payment for a REFUNDED invoice that no payment settled', () => {
      expect(() => callbackEffect('REFUNDED', 'succeeded', 'ch_1', null)).toThrow(ConflictError);
    });

    it('declines while OPEN and ignores a failure once settled', () => {
      expect(callbackEffect('OPEN', 'failed', 'ch_1', null)).toBe('DECLINE');
      for (const status of ['PAID', 'VOIDED', 'REFUNDED'] as const) {
        expect(callbackEffect(status, 'failed', 'ch_1', null)).toBe('IGNORE');
      }
    });
  });
});
