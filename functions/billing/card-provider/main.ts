import { catalogEntry, functionUrl } from '@atlas/catalog';
import { loadPaymentWebhookSecret } from '@atlas/config';
import { runEventFunction } from '@atlas/messaging';
import definition from './function.json' with { type: 'json' };
import { cardProviderConsumer } from './card-provider.ts';

// The webhook's port is its function.json's; ATLAS_FUNCTION_URL_BILLING_PAYMENT_WEBHOOK overrides it.
const webhook = catalogEntry('billing-payment-webhook');

const options = {
  secret: loadPaymentWebhookSecret(),
  webhookUrl: new URL('v1/payments/webhook', functionUrl(webhook.qualifiedName, webhook.port)),
};

await runEventFunction({
  service: 'billing',
  definition,
  consumer: (sql) => cardProviderConsumer(sql, options),
});
