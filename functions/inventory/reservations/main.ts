import { runEventFunction } from '@atlas/messaging';
import definition from './function.json' with { type: 'json' };
import { reservationsConsumer } from './reservations.ts';

await runEventFunction({ service: 'inventory', definition, consumer: reservationsConsumer });
