#!/usr/bin/env node
// The `atlas` bin. The CLI is TypeScript that Node 24 runs directly (type stripping, ADR-0018);
// `npx atlas` may start on the machine's older node (npm itself runs there), so on anything
// before 24 this shim re-executes the project's own Node 24 (node_modules/.bin/node) on main.ts.
// Plain JavaScript that any Node >= 18 parses.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const main = resolve(here, '..', 'main.ts');
const major = Number(process.versions.node.split('.')[0]);

if (major >= 24) {
  const { runCli } = await import(pathToFileURL(main).href);
  process.exitCode = await runCli(process.argv.slice(2));
} else {
  const node = join(resolve(here, '..', '..', '..'), 'node_modules', '.bin', 'node');
  if (!existsSync(node)) {
    process.stderr.write(
      `atlas: needs Node 24 (this is ${process.version}) and ${node} is missing: run npm ci first.\n`,
    );
    process.exit(3);
  }
  const child = spawn(node, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
