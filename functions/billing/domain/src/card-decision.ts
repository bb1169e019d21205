/** How long the `tok_slow` card makes the provider think before it succeeds (contract §4). */
export const SLOW_CARD_DELAY_MS = 2_000;

export type ChargeDecision =
  | { readonly outcome: 'succeeded'; readonly delayMs: number }
  | {
      readonly outcome: 'failed';
      readonly reason: 'card_declined' | 'invalid_token';
      readonly delayMs: number;
    };

/**
 * The simulated provider's answer to a charge of the card `token`: `tok_visa` succeeds,
 * `tok_slow` succeeds after {@link SLOW_CARD_DELAY_MS}, `tok_chargeDeclined` is declined and
 * any other token is declined as invalid.
 */
export function decideCharge(token: string): ChargeDecision {
  if (token === 'tok_visa') return { outcome: 'succeeded', delayMs: 0 };
  if (token === 'tok_slow') return { outcome: 'succeeded', delayMs: SLOW_CARD_DELAY_MS };
  if (token === 'tok_chargeDeclined')
    return { outcome: 'failed', reason: 'card_declined', delayMs: 0 };
  return { outcome: 'failed', reason: 'invalid_token', delayMs: 0 };
}
