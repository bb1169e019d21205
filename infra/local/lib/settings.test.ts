import { describe, expect, it } from '@jest/globals';
import { integerSetting } from './settings.ts';

const range = { fallback: 10, min: 1, max: 100 };

describe('an integer setting', () => {
  it('falls back when unset or blank, and reads a whole number in range', () => {
    expect(integerSetting({}, 'N', range)).toBe(10);
    expect(integerSetting({ N: '  ' }, 'N', range)).toBe(10);
    expect(integerSetting({ N: ' 42 ' }, 'N', range)).toBe(42);
    expect(integerSetting({ N: '100' }, 'N', range)).toBe(100);
  });

  it('refuses a fraction, a word or a number out of range, naming the variable', () => {
    for (const raw of ['1.5', 'ten', '0', '101'])
      expect(() => integerSetting({ N: raw }, 'N', range)).toThrow(
        `N: expected an integer 1-100, got "${raw}"`,
      );
  });

  it('fails through the caller’s own error', () => {
    class SettingsError extends Error {}
    expect(() =>
      integerSetting({ N: 'x' }, 'N', range, (message) => new SettingsError(message)),
    ).toThrow(SettingsError);
  });
});
