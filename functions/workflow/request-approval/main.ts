import { loadSagaConfig } from '@atlas/config';
import { runEventFunction } from '@atlas/messaging';
import { parseCents } from '@atlas/money';
import definition from './function.json' with { type: 'json' };
import { requestApprovalConsumer } from './consumer.ts';

await runEventFunction({
  service: 'workflow',
  definition,
  consumer: () => requestApprovalConsumer(parseCents(loadSagaConfig().approvalThreshold)),
});
