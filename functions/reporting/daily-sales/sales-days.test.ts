import { describe, expect, it } from '@jest/globals';
import { dailySalesQuerySchema, daysIn, toDailySales } from './sales-days.ts';

const schema = dailySalesQuerySchema(() => new Date('2026-11-28T15:00:00Z'));

describe('the daily sales query', () => {
  it('covers the 30 days up to today when no range is given', () => {
    expect(schema.parse({})).toEqual({ from: '2026-10-30', to: '2026-11-28' });
    expect(daysIn(schema.parse({}))).toBe(30);
  });

  it('takes the UTC day of a date-time bound', () => {
    expect(schema.parse({ from: '2026-11-27T23:30:00-02:00', to: '2026-11-28' })).toEqual({
      from: '2026-11-28',
      to: '2026-11-28',
    });
  });

  it.each([
    ['a start after the end', { from: '2026-11-29', to: '2026-11-28' }],
    ['more than 366 days', { from: '2025-01-01', to: '2026-11-28' }],
    ['a date that is not one', { from: '2026-02-30' }],
    ['an unknown parameter', { day: '2026-11-28' }],
  ])('refuses %s', (_case, query) => {
    expect(schema.safeParse(query).success).toBe(false);
  });
});

describe('a day of sales', () => {
  it('shows its sums as money strings in its currency', () => {
    expect(
      toDailySales({
        day: '2026-11-28',
        currency: 'EUR',
        orders_confirmed: 2,
        revenue_cents: '1250005',
        refunds_cents: '0',
      }),
    ).toEqual({
      date: '2026-11-28',
      currency: 'EUR',
      ordersConfirmed: 2,
      revenue: '12500.05',
      refunds: '0.00',
    });
  });
});
