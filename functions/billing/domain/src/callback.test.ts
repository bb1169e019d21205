import { describe, expect, it } from '@jest/globals';
import { paymentCallbackSchema } from './callback.ts';

const success = {
  callbackId: 'cb_0001',
  type: 'succeeded',
  chargeId: 'ch_0001',
  invoiceId: '5b0e1c2a-8f4e-4a57-9d3b-0c1f6a2b7e11',
  orderId: '0f9d8c7b-6a5e-4d3c-9b1a-0e9f8d7c6b5a',
  amount: '43.99',
  currency: 'EUR',
};

describe('a payment callback body', () => {
  it('accepts a success and a failure with its reason', () => {
    expect(paymentCallbackSchema.safeParse(success).success).toBe(true);
    const failure = { ...success, type: 'failed', reason: 'card_declined' };
    expect(paymentCallbackSchema.safeParse(failure).success).toBe(true);
  });

  it.each([
    ['a failure without a reason', { ...success, type: 'failed' }],
    ['a success with a reason', { ...success, reason: 'why' }],
    ['an unknown type', { ...success, type: 'pending' }],
    ['an unknown field', { ...success, note: 'x' }],
    ['an invoice id that is not a UUID', { ...success, invoiceId: 'inv-1' }],
    ['an amount with one decimal', { ...success, amount: '43.9' }],
    ['a lower-case currency', { ...success, currency: 'eur' }],
    ['a callback id with a space', { ...success, callbackId: 'cb 1' }],
    ['a missing charge id', { ...success, chargeId: undefined }],
  ])('refuses %s', (_case, body) => {
    expect(paymentCallbackSchema.safeParse(body).success).toBe(false);
  });
});
