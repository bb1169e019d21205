import { loadSagaConfig } from '@atlas/config';
import { runEventFunction } from '@atlas/messaging';
import definition from './function.json' with { type: 'json' };
import { sagaOrchestrator } from './saga-orchestrator.ts';

await runEventFunction({
  service: 'order',
  definition,
  consumer: () => sagaOrchestrator({ approvalThreshold: loadSagaConfig().approvalThreshold }),
});
