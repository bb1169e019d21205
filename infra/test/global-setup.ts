import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackContext, up } from '../local/stack.ts';

/**
 * Brings the real stack up once for the whole run (reusing whatever already serves) and notes
 * what it started, so the teardown can stop exactly that under CI.
 */
export default async function globalSetup(): Promise<void> {
  const context = stackContext();
  const began = Date.now();
  const statuses = await up(context);
  const started = statuses.filter((s) => s.state === 'started').map((s) => s.name);
  mkdirSync(context.paths.run, { recursive: true });
  writeFileSync(join(context.paths.run, 'started-by-tests.json'), JSON.stringify(started));
  if (started.length > 0) {
    console.log(
      `\natlas: started ${started.join(', ')} for the tests in ${((Date.now() - began) / 1000).toFixed(1)}s`,
    );
  }
}
