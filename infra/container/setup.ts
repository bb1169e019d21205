import { fileURLToPath } from 'node:url';
import { loadStackConfig, serviceNames } from '@atlas/config';
import { migrateService } from '@atlas/db';
import { registerSchemas } from '@atlas/events';

/**
 * What a system needs before its functions start, as the cluster's set-up Job runs it (ADR-0040):
 * the five databases' migrations and the event schemas, against the `ATLAS_*` addresses. Both are
 * idempotent, so the Job may run again after a restart of the in-memory registry. Topics are
 * Strimzi's (KafkaTopic resources), not this step's.
 */
export async function setUp(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const lines: string[] = [];
  for (const service of serviceNames) {
    const applied = await migrateService(service, env);
    lines.push(`${service}: ${String(applied.length)} migration(s) applied`);
  }
  const registered = await registerSchemas({
    registryUrl: loadStackConfig(env).schemaRegistry.url,
  });
  lines.push(`${String(registered.length)} event schemas registered (compatibility BACKWARD)`);
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  setUp().then(
    (lines) => {
      for (const line of lines) console.log(`setup: ${line}`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(`setup failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
