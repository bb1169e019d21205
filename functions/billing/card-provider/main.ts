import { functionUrl } from '@atlas/catalog';
import { loadPaymentWebhookSecret } from '@atlas/config';
import { runEventFunction } from '@atlas/messaging';
import definition from './function.json' with { type: 'json' };
import { cardProviderConsumer } from './card-provider.ts';

const options = {
  secret: loadPaymentWebhookSecret(),
  // The webhook's catalog name and port; ATLAS_FUNCTION_URL_BILLING_PAYMENT_WEBHOOK overrides them.
  webhookUrl: new URL('v1/payments/webhook', functionUrl('billing-payment-webhook', 8132)),
};

await runEventFunction({
  service: 'billing',
  definition,
  consumer: (sql) => cardProviderConsumer(sql, options),
});
