/**
 * Registers every event schema in the registry with BACKWARD compatibility:
 * `npx node schemas/register.ts` (the registry URL comes from ATLAS_SCHEMA_REGISTRY_URL or the
 * local default). Idempotent; prints one line per subject with its schema id.
 */
import { loadStackConfig } from '@atlas/config';
import { registerSchemas } from '@atlas/events';

const registryUrl = loadStackConfig().schemaRegistry.url;
const registered = await registerSchemas({ registryUrl });
for (const { subject, id } of registered) console.log(`${String(id).padStart(6)}  ${subject}`);
console.log(`${registered.length} event schemas registered at ${registryUrl}`);
