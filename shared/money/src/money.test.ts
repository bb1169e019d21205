import { describe, expect, it } from '@jest/globals';
import { formatCents, moneySchema, parseCents } from './money.ts';

describe('money', () => {
  it.each([
    ['0.00', 0n],
    ['19.99', 1999n],
    ['10000.00', 1_000_000n],
    ['9999999999.99', 999_999_999_999n],
  ])('reads %s as %s cents and writes it back unchanged', (text, cents) => {
    expect(parseCents(text)).toBe(cents);
    expect(formatCents(cents)).toBe(text);
  });

  it('writes negative amounts with their sign', () => {
    expect(formatCents(-5n)).toBe('-0.05');
  });

  it('sums without floating point error', () => {
    expect(formatCents(parseCents('0.10') + parseCents('0.20'))).toBe('0.30');
  });

  it.each([
    '19.9',
    '19.999',
    '-1.00',
    '01.00',
    '1e3',
    '',
    ' 1.00',
    '1.00 ',
    '1,00',
    '10000000000.00',
  ])('refuses "%s"', (text) => {
    expect(moneySchema.safeParse(text).success).toBe(false);
  });
});
