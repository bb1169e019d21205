import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '@atlas/errors';
import { validateIdempotencyKey } from './index.ts';

describe('validateIdempotencyKey', () => {
  it.each([
    'a',
    'order-2026-11-28:42',
    '!~',
    'x'.repeat(255),
    '550e8400-e29b-41d4-a716-446655440000',
  ])('accepts %p', (key) => {
    expect(validateIdempotencyKey(key)).toBe(key);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['256 characters long', 'x'.repeat(256)],
    ['containing a space', 'a b'],
    ['containing a tab', 'a\tb'],
    ['containing DEL', 'a\x7Fb'],
    ['non-ASCII', 'clé'],
    ['sent twice', ['a', 'b']],
  ] as const)('rejects a key that is %s with a 400 at path Idempotency-Key', (_why, raw) => {
    let error: unknown;
    try {
      validateIdempotencyKey(raw);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).status).toBe(400);
    expect((error as ValidationError).violations[0]?.path).toBe('Idempotency-Key');
  });
});
