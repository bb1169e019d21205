import { describe, expect, it } from '@jest/globals';
import { DeliveryConfigError, loadDeliveryConfig, sinkUrl } from './config.ts';

describe('the delivery settings', () => {
  it('defaults to the one delivery policy (8 s backoff, 5 retries) and port 8099', () => {
    expect(loadDeliveryConfig({})).toEqual({
      backoffMs: 8_000,
      retries: 5,
      timeoutMs: 30_000,
      port: 8099,
    });
  });

  it('refuses more than the 5 retries the contract allows, at start', () => {
    expect(() => loadDeliveryConfig({ ATLAS_DELIVERY_RETRIES: '6' })).toThrow(DeliveryConfigError);
  });

  it('sends to the catalog port unless ATLAS_FUNCTION_URL_<NAME> says otherwise', () => {
    expect(sinkUrl('reserve-stock', 8121, {})).toBe('http://127.0.0.1:8121/');
    const env = { ATLAS_FUNCTION_URL_RESERVE_STOCK: 'http://127.0.0.1:9999/hook' };
    expect(sinkUrl('reserve-stock', 8121, env)).toBe('http://127.0.0.1:9999/hook');
    expect(() =>
      sinkUrl('reserve-stock', 8121, { ATLAS_FUNCTION_URL_RESERVE_STOCK: 'nope' }),
    ).toThrow(/ATLAS_FUNCTION_URL_RESERVE_STOCK/);
  });
});
