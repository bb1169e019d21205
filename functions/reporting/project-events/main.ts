import { runEventFunction } from '@atlas/messaging';
import definition from './function.json' with { type: 'json' };
import { projectEventsConsumer } from './consumer.ts';

await runEventFunction({
  service: 'reporting',
  definition,
  consumer: projectEventsConsumer,
});
