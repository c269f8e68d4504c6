#!/usr/bin/env bash
# `npm run setup`: the one command a new user runs after cloning; safe to run again.
# It starts under whatever Node the machine has (Node 20 is fine), so it only installs the
# npm dependencies, which include a pinned Node 24, and hands over to `wrh setup` on that Node.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# Under `npm run`, node_modules/.bin comes first on PATH: after the first setup `node` is the
# pinned Node 24 itself, which needs no excuse.
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 22 ]; then
  echo "wrh: installing npm dependencies (npm may warn that this machine's Node $(node --version) is too old:" \
    "it only runs npm itself; every script after this uses the Node 24 from node_modules)" >&2
else
  echo "wrh: installing npm dependencies" >&2
fi
npm install --no-audit --no-fund

exec node_modules/.bin/node harness/cli/wrh.ts setup
