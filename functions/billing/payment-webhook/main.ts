import { loadPaymentWebhookSecret } from '@atlas/config';
import { runHttpFunction } from '@atlas/http';
import definition from './function.json' with { type: 'json' };
import { paymentWebhookRoutes } from './routes.ts';

// Read once at start: a missing or short secret stops the process before it takes any callback.
const secret = loadPaymentWebhookSecret();

await runHttpFunction({
  service: 'billing',
  name: definition.name,
  port: definition.port,
  routes: (dependencies, sql) => paymentWebhookRoutes(dependencies, sql, { secret }),
});
