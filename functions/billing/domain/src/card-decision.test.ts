import { describe, expect, it } from '@jest/globals';
import { SLOW_CARD_DELAY_MS, decideCharge } from './card-decision.ts';

describe('the simulated card provider', () => {
  it('charges tok_visa at once', () => {
    expect(decideCharge('tok_visa')).toEqual({ outcome: 'succeeded', delayMs: 0 });
  });

  it('charges tok_slow after two seconds', () => {
    expect(decideCharge('tok_slow')).toEqual({ outcome: 'succeeded', delayMs: 2_000 });
    expect(SLOW_CARD_DELAY_MS).toBe(2_000);
  });

  it('declines tok_chargeDeclined', () => {
    expect(decideCharge('tok_chargeDeclined')).toEqual({
      outcome: 'failed',
      reason: 'card_declined',
      delayMs: 0,
    });
  });

  it.each(['tok_unknown', '', 'TOK_VISA'])(
    'declines the unknown token "%s" as invalid',
    (token) => {
      expect(decideCharge(token)).toEqual({
        outcome: 'failed',
        reason: 'invalid_token',
        delayMs: 0,
      });
    },
  );
});
