import { runEventFunction } from '@atlas/messaging';
import definition from './function.json' with { type: 'json' };
import { recordAuditConsumer } from './consumer.ts';

await runEventFunction({ service: 'workflow', definition, consumer: recordAuditConsumer });
