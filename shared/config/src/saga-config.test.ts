import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './config-error.ts';
import {
  ensureLocalWebhookSecret,
  loadPaymentWebhookSecret,
  loadSagaConfig,
} from './saga-config.ts';

describe('saga configuration', () => {
  it('defaults the approval threshold to 10000.00', () => {
    expect(loadSagaConfig({}).approvalThreshold).toBe('10000.00');
  });

  it.each(['10000', '1e4', '-1.00', 'abc'])('refuses the threshold "%s"', (value) => {
    expect(() => loadSagaConfig({ ATLAS_APPROVAL_THRESHOLD: value })).toThrow(ConfigError);
  });

  it('prefers the webhook secret from the environment', () => {
    const secret = 'x'.repeat(40);
    expect(loadPaymentWebhookSecret({ ATLAS_PAYMENT_WEBHOOK_SECRET: secret })).toBe(secret);
  });

  it('refuses a short webhook secret', () => {
    expect(() => loadPaymentWebhookSecret({ ATLAS_PAYMENT_WEBHOOK_SECRET: 'short' })).toThrow(
      /at least 32/,
    );
  });

  it('generates the local secret once, readable only by its owner, and reads it back', () => {
    const env = { ATLAS_STATE_DIR: mkdtempSync(join(tmpdir(), 'atlas-secret-')) };
    expect(() => loadPaymentWebhookSecret(env)).toThrow(/npm start creates it/);

    expect(ensureLocalWebhookSecret(env)).toBe(true);
    expect(ensureLocalWebhookSecret(env)).toBe(false);

    const file = join(env.ATLAS_STATE_DIR, 'secrets', 'payment-webhook');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadPaymentWebhookSecret(env)).toBe(readFileSync(file, 'utf8').trim());
  });
});
