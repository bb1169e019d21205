import { describe, expect, it } from '@jest/globals';
import { exclusiveEnd, rangeIsOrdered, timeBoundSchema } from './time-range.ts';

const bound = (value: string) => timeBoundSchema.parse(value);

describe('a time bound of a report query', () => {
  it('reads a date as the whole UTC day, ending at the next midnight', () => {
    const day = bound('2026-11-28');
    expect(day).toEqual({ at: new Date('2026-11-28T00:00:00.000Z'), wholeDay: true });
    expect(exclusiveEnd(day)).toEqual(new Date('2026-11-29T00:00:00.000Z'));
  });

  it('reads a date-time with a zone as that instant, included as an upper bound', () => {
    const instant = bound('2026-11-28T12:00:00+02:00');
    expect(instant).toEqual({ at: new Date('2026-11-28T10:00:00.000Z'), wholeDay: false });
    expect(exclusiveEnd(instant)).toEqual(new Date('2026-11-28T10:00:00.001Z'));
  });

  it.each(['yesterday', '2026-13-01', '2026-11-28T10:00:00', '28/11/2026', ''])(
    'refuses %j',
    (value) => {
      expect(timeBoundSchema.safeParse(value).success).toBe(false);
    },
  );

  it('accepts a range whose start is not after its end, the same day included', () => {
    expect(rangeIsOrdered({ from: bound('2026-11-28'), to: bound('2026-11-28') })).toBe(true);
    expect(rangeIsOrdered({ from: bound('2026-11-28T23:00:00Z'), to: bound('2026-11-28') })).toBe(
      true,
    );
    expect(rangeIsOrdered({ from: bound('2026-11-29'), to: bound('2026-11-28') })).toBe(false);
    expect(rangeIsOrdered({ to: bound('2026-11-28') })).toBe(true);
  });
});
