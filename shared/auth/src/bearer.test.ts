import { describe, expect, it } from '@jest/globals';
import { UnauthorizedError } from '@atlas/errors';
import { parseBearerToken } from './index.ts';

describe('parseBearerToken', () => {
  it('returns the token of a Bearer header, whatever the scheme case', () => {
    expect(parseBearerToken('Bearer abc.def-_.ghi')).toBe('abc.def-_.ghi');
    expect(parseBearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it.each([undefined, null, '', '   '])('rejects a missing header (%p) with a 401', (header) => {
    expect(() => parseBearerToken(header)).toThrow(UnauthorizedError);
  });

  it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'Bearer a,b', 'Token abc'])(
    'rejects the malformed header %p with a 401',
    (header) => {
      expect(() => parseBearerToken(header)).toThrow(UnauthorizedError);
    },
  );
});
