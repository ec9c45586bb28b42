#!/usr/bin/env bash
# `make start`: installs what is missing, starts the local services the portal watches (Azurite and the
# reference inference service on 127.0.0.1:8000, when present), then the portal: frontend on
# http://localhost:3000, backend on 127.0.0.1:7007. Ctrl-C stops everything it started.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/install.sh"
# shellcheck source=env.sh
source "$ROOT/scripts/env.sh"
cd "$ROOT"
mkdir -p .run
echo "start: local GitOps remote $(scripts/init-gitops-remote.sh)"

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

has_script() { # workspace, script
  node -e 'const [ws, s] = process.argv.slice(1);
    const { execSync } = require("child_process");
    const list = execSync("yarn workspaces list --json").toString().trim().split("\n").map(JSON.parse);
    const w = list.find(x => x.name === ws);
    const pkg = w && require(require("path").resolve(w.location, "package.json"));
    process.exit(pkg && pkg.scripts && pkg.scripts[s] ? 0 : 1);' "$1" "$2"
}

# The reference inference service with Azurite, so the portal has a live workload to watch.
if has_script @devops-app/inference start:local; then
  echo "start: inference service on http://127.0.0.1:8000 (log: .run/inference.log)"
  setsid yarn workspace @devops-app/inference start:local >.run/inference.log 2>&1 &
  pids+=($!)
fi
# A little steady traffic (valid and invalid images), so the service has metrics and logs to show.
if has_script @devops-app/inference traffic; then
  setsid yarn workspace @devops-app/inference traffic >.run/inference-traffic.log 2>&1 &
  pids+=($!)
fi

# Prometheus on 127.0.0.1:9090 scraping the inference service every 5 s, for the Metrics section.
echo "start: Prometheus on http://127.0.0.1:9090 (log: .run/prometheus.log)"
setsid scripts/start-prometheus.sh >.run/prometheus.log 2>&1 &
pids+=($!)

echo "start: portal on http://localhost:3000 (backend http://127.0.0.1:7007)"
setsid yarn start &
pids+=($!)
wait "${pids[-1]}"
