#!/usr/bin/env bash
# `make start`: installs what is missing, starts the local services the portal watches (Azurite and the
# reference inference service on 127.0.0.1:8000, when present), then the portal as production serves it:
# the built frontend (packages/app/dist, rebuilt when its sources changed) from the backend, both on
# http://localhost:7007.
# `make dev` (scripts/start.sh --dev): the same services, then the development servers: the frontend on
# http://localhost:3000 (rebuilt on every edit) and the backend on 127.0.0.1:7007.
# Ctrl-C stops everything it started.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
mode=production
if [[ "${1:-}" == "--dev" ]]; then mode=development; fi
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

# Debian's docker-registry on 127.0.0.1 (REGISTRY_PORT, default 5000) holding the inference service's
# image versions, pushed through its HTTP API; the Deploy dialog lists them. Its URL reaches the backend
# in the environment only.
registry_port="${REGISTRY_PORT:-5000}"
echo "start: image registry on 127.0.0.1:$registry_port (log: .run/registry.log)"
REGISTRY_PORT="$registry_port" setsid scripts/start-registry.sh >.run/registry.log 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$registry_port/v2/" >/dev/null 2>&1 && break
  sleep 0.2
done
node --no-warnings scripts/push-sample-images.mts --registry "http://127.0.0.1:$registry_port" \
  --repository inference 0.1.0 0.2.0 >>.run/registry.log 2>&1 ||
  echo "start: could not push the sample images (see .run/registry.log)" >&2
export APP_CONFIG_devopsApp_registry_url="\"http://127.0.0.1:$registry_port\""
export APP_CONFIG_devopsApp_registry_name='"local-registry"'

if [[ "$mode" == development ]]; then
  echo "start: development servers, portal on http://localhost:3000 (backend http://127.0.0.1:7007)"
  setsid yarn start &
  pids+=($!)
  wait "${pids[-1]}"
  exit
fi

# The frontend's build is kept while its inputs are unchanged: the fingerprint is the content of every
# tracked or new file of the frontend packages (the app, our frontend plugin and its common package, the lockfile), ~1 s to compute; a
# build takes 2 to 4 minutes on 2 busy cores. The app-backend injects app-config at run time, so a change
# of configuration needs no build.
fingerprint() {
  git ls-files -z -co --exclude-standard -- packages/app plugins/devops-app plugins/devops-app-common yarn.lock package.json \
    | grep -zv -e '/dist/' -e '\.test\.tsx\?$' \
    | xargs -0 sha1sum 2>/dev/null | sha1sum | cut -d' ' -f1
}
stamp="$ROOT/.run/app-build.sha1"
wanted="$(fingerprint)"
if [[ -f packages/app/dist/index.html && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
  echo "start: frontend build is up to date (packages/app/dist)"
else
  echo "start: building the frontend (packages/app/dist, 2 to 4 minutes; log: .run/app-build.log)"
  rm -f "$stamp"
  if ! yarn workspace app build >.run/app-build.log 2>&1; then
    tail -n 30 .run/app-build.log
    echo "start: the frontend build failed, see .run/app-build.log" >&2
    exit 1
  fi
  echo "$wanted" >"$stamp"
fi

# The backend serves the built frontend (app-backend) on its own origin, as in production.
portal=http://localhost:7007
echo "start: portal on $portal (the backend serves the built frontend; make dev for the development server)"
APP_CONFIG_app_baseUrl="\"$portal\"" \
  APP_CONFIG_backend_baseUrl="\"$portal\"" \
  APP_CONFIG_backend_cors_origin="\"$portal\"" \
  setsid yarn workspace backend start &
pids+=($!)
wait "${pids[-1]}"
