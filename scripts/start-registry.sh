#!/usr/bin/env bash
# Runs Debian's docker-registry (distribution/distribution, the OCI distribution API) in the foreground
# on 127.0.0.1 (default port 5000), anonymous, images under .run/registry. `make start` runs it and
# pushes the service's image versions with scripts/push-sample-images.mts; each browser test run starts a
# throwaway one (e2e/src/support/registry.ts). An instance already answering on the port is reused.
#   REGISTRY_PORT=5000 REGISTRY_DATA_DIR=.run/registry scripts/start-registry.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PORT="${REGISTRY_PORT:-5000}"
DATA="${REGISTRY_DATA_DIR:-$ROOT/.run/registry}"
if curl -fsS "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1; then
  echo "start-registry: a registry already answers on 127.0.0.1:$PORT; reusing it"
  exit 0
fi
mkdir -p "$DATA/data"
# The configuration format of distribution 2.x (docs/configuration.md there); no auth section: the
# local registry is anonymous and listens on the loopback interface only.
cat >"$DATA/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DATA/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$PORT
YAML
exec docker-registry serve "$DATA/config.yml"
