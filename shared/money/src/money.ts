import { z } from 'zod';

// Amounts are bigint cents inside Atlas: binary floating point cannot hold 0.10 exactly, and a
// ledger that sums to 0.0000000001 instead of 0 does not balance.

/** Ten billion minus a cent: the largest amount one order, invoice or line may carry. */
export const MAX_CENTS = 999_999_999_999n;

const MONEY_PATTERN = /^(0|[1-9]\d{0,9})\.(\d{2})$/;

/**
 * `"19.99"` → `1999n`. Only the contract's form is accepted: digits, a point, exactly two places,
 * no sign, no leading zeros.
 *
 * @throws RangeError when `value` is not such a string.
 */
export function parseCents(value: string): bigint {
  const match = MONEY_PATTERN.exec(value);
  if (!match) throw new RangeError(`"${value}" is not an amount with exactly two decimal places`);
  return BigInt(match[1] ?? '0') * 100n + BigInt(match[2] ?? '0');
}

/** `1999n` → `"19.99"`; negative amounts keep their sign (`-500n` → `"-5.00"`). */
export function formatCents(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const magnitude = cents < 0n ? -cents : cents;
  const units = magnitude / 100n;
  const fraction = (magnitude % 100n).toString().padStart(2, '0');
  return `${sign}${units.toString()}.${fraction}`;
}

/** A non-negative amount in the contract's form (`"19.99"`), for request bodies. */
export const moneySchema = z
  .string()
  .regex(MONEY_PATTERN, 'a decimal string with exactly 2 places, e.g. "19.99"')
  .refine((value) => !MONEY_PATTERN.test(value) || parseCents(value) <= MAX_CENTS, {
    error: 'at most 9999999999.99',
  });

/** An ISO 4217 alphabetic code (`"EUR"`). */
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as "EUR"');
