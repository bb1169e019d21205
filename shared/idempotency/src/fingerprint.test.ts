import { describe, expect, it } from '@jest/globals';
import { canonicalJson, fingerprintRequest } from './index.ts';

const order = {
  customerId: 'c1',
  currency: 'EUR',
  lines: [{ sku: 'A', quantity: 1, unitPrice: '1.00' }],
};

describe('fingerprintRequest', () => {
  it('gives the same fingerprint whatever the order of the JSON keys, at any depth', () => {
    const reordered = {
      lines: [{ unitPrice: '1.00', quantity: 1, sku: 'A' }],
      currency: 'EUR',
      customerId: 'c1',
    };
    expect(fingerprintRequest({ method: 'POST', path: '/v1/orders', body: reordered })).toBe(
      fingerprintRequest({ method: 'post', path: '/v1/orders', body: order }),
    );
  });

  it('changes when the body, the path or the method changes', () => {
    const base = fingerprintRequest({ method: 'POST', path: '/v1/orders', body: order });
    expect(
      fingerprintRequest({
        method: 'POST',
        path: '/v1/orders',
        body: { ...order, currency: 'USD' },
      }),
    ).not.toBe(base);
    expect(fingerprintRequest({ method: 'POST', path: '/v1/orderz', body: order })).not.toBe(base);
    expect(fingerprintRequest({ method: 'PUT', path: '/v1/orders', body: order })).not.toBe(base);
  });

  it('keeps array order significant', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('is a sha256 hex digest', () => {
    expect(fingerprintRequest({ method: 'POST', path: '/x', body: undefined })).toMatch(
      /^[0-9a-f]{64}$/,
    );
  });
});

describe('canonicalJson', () => {
  it('sorts keys and drops undefined properties like JSON.stringify', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: null } })).toBe('{"a":{"c":null},"b":1}');
  });

  it('keeps a "__proto__" key as plain data', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":2}'))).toBe(
      '{"__proto__":{"x":1},"a":2}',
    );
  });
});
