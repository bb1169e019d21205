import { runRelayFunction } from '@atlas/messaging';
import definition from './function.json' with { type: 'json' };

await runRelayFunction({ service: 'workflow', name: definition.name, port: definition.port });
