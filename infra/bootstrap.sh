#!/bin/sh
# Brings the project's own runtime and dependencies into node_modules before any npm script
# runs on them (ADR-0018). Runs on whatever node/npm the machine has (Node 20 is enough for
# npm itself); afterwards `node` on the npm script PATH is the Node 24 from node_modules/.bin.
set -eu
cd "$(dirname "$0")/.."

stamp=node_modules/.atlas-install-stamp
# The patches to installed dependencies are part of what an install must have done.
lock_hash=$(cat package-lock.json infra/patches/apply.mjs | sha256sum | cut -d' ' -f1)

up_to_date() {
  [ -x node_modules/.bin/node ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ]
}

up_to_date && exit 0

# Two npm scripts started at once (npm start in one terminal, npm test in another) must not
# both run `npm ci`, which deletes node_modules first: the second waits, then finds it done.
mkdir -p .atlas
if command -v flock >/dev/null 2>&1 && [ -z "${ATLAS_BOOTSTRAP_LOCKED:-}" ]; then
  export ATLAS_BOOTSTRAP_LOCKED=1
  exec flock .atlas/bootstrap.lock sh "$(pwd)/infra/bootstrap.sh"
fi
up_to_date && exit 0

if ! command -v npm >/dev/null 2>&1; then
  echo "atlas: npm is missing. Install Node.js (any version >= 18, e.g. 'apt-get install nodejs npm'); the project brings its own Node 24." >&2
  exit 1
fi

if [ -d node_modules ]; then
  # Incremental: never wipes node_modules under a process that is using it.
  echo "atlas: package-lock.json changed; updating dependencies (npm install) ..." >&2
  npm install --no-audit --no-fund --loglevel=error
else
  echo "atlas: installing dependencies (npm ci) ..." >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
if ! node_modules/.bin/node -e 'process.exit(Number(process.versions.node.split(".")[0]) === 24 ? 0 : 1)'; then
  echo "atlas: node_modules/.bin/node is not Node 24 after install; delete node_modules and retry." >&2
  exit 1
fi
node_modules/.bin/node infra/patches/apply.mjs
echo "$lock_hash" > "$stamp"
