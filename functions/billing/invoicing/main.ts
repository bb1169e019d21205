import { runEventFunction } from '@atlas/messaging';
import definition from './function.json' with { type: 'json' };
import { invoicingConsumer } from './invoicing.ts';

await runEventFunction({ service: 'billing', definition, consumer: invoicingConsumer });
