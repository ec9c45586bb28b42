#!/usr/bin/env bash
# Everything a fresh clone needs before it can start or test: Node 22, Debian packages, the workspace's
# dependencies (from yarn.lock, unchanged) and the helm binary. Idempotent and quick when nothing is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/bootstrap-node.sh"
"$ROOT/scripts/install-system-deps.sh"
# shellcheck source=env.sh
source "$ROOT/scripts/env.sh"
cd "$ROOT"
stamp="$ROOT/node_modules/.devops-app-install-stamp"
if [ ! -f "$stamp" ] || [ yarn.lock -nt "$stamp" ] || [ package.json -nt "$stamp" ] ||
  [ -n "$(find packages plugins services charts/tests infra/tests e2e bench -maxdepth 2 -name package.json -newer "$stamp" 2>/dev/null | head -1)" ]; then
  echo "install: yarn install --immutable"
  yarn install --immutable
  touch "$stamp"
fi
for installer in "$ROOT"/scripts/install-helm.sh; do
  [ -x "$installer" ] && "$installer"
done
exit 0
