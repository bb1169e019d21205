// Patches to installed dependencies, applied by infra/bootstrap.sh after every install (and
// re-applied when this file changes: it is part of the install stamp). Each patch names the
// exact version it was written for and fails loudly when the text it replaces is not there, so
// an upgrade makes someone look again instead of silently running unpatched.
// Plain .mjs with Node built-ins only: it runs right after `npm ci`, before anything else.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const PATCHES = [
  {
    // postgres.js 3.4.9 writes small messages on a setImmediate; when the server closes the
    // connection in between (a PostgreSQL restart), the deferred write finds `socket` null and
    // throws from the immediate, outside any promise: the whole process dies (upstream issues
    // porsager/postgres#1066, #1154, #1208, unfixed in 3.4.9). Found by the PostgreSQL-restart
    // drill. The guard settles the connection's queries with CONNECTION_CLOSED instead, which
    // callers already handle (a retriable 503/500), as the proposed upstream fix does.
    package: 'postgres',
    version: '3.4.9',
    files: ['src/connection.js', 'cjs/src/connection.js'],
    find: '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    replace:
      '  function nextWrite(fn) {\n' +
      '    if (socket === null) { // atlas patch (infra/patches/apply.mjs)\n' +
      '      nextWriteTimer !== null && clearImmediate(nextWriteTimer)\n' +
      '      chunk = nextWriteTimer = null\n' +
      "      error(Errors.connection('CONNECTION_CLOSED', options))\n" +
      '      return false\n' +
      '    }\n' +
      '    const x = socket.write(chunk, fn)',
  },
  {
    // The other half of the same failure: a connection that closed while reserved (our
    // transaction() reserves one per unit of work) was put back among the open ones by
    // release(), socket-less for good, so every later query on it failed (or, unguarded, crashed
    // the process). Only a connection still reserved goes back to the open ones; one that closed
    // stays with the closed ones (or is already reconnecting for a waiting query) and is
    // reconnected when next needed, as any other closed connection is.
    package: 'postgres',
    version: '3.4.9',
    files: ['src/index.js', 'cjs/src/index.js'],
    find: '    sql.release = () => {\n      c.reserved = null\n      onopen(c)\n    }',
    replace:
      '    sql.release = () => {\n' +
      '      c.reserved = null\n' +
      '      c.queue === reserved && onopen(c) // atlas patch (infra/patches/apply.mjs)\n' +
      '    }',
  },
];

let failed = false;
for (const patch of PATCHES) {
  const root = `node_modules/${patch.package}`;
  // An image holds one function's dependencies only: nothing to patch where the package is absent.
  if (!existsSync(`${root}/package.json`)) continue;
  const { version } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
  if (version !== patch.version) {
    console.error(
      `atlas: ${patch.package} is ${version}, its patch in infra/patches/apply.mjs was written for ${patch.version}: check whether ${version} still needs it, then update or remove the patch.`,
    );
    failed = true;
    continue;
  }
  for (const file of patch.files) {
    const path = `${root}/${file}`;
    const text = readFileSync(path, 'utf8');
    if (text.includes(patch.replace)) continue;
    if (!text.includes(patch.find)) {
      console.error(`atlas: ${path} does not contain the text its patch replaces.`);
      failed = true;
      continue;
    }
    writeFileSync(path, text.replace(patch.find, patch.replace));
  }
}
process.exit(failed ? 1 : 0);
