#!/usr/bin/env bash
# Runs Debian's Prometheus in the foreground on 127.0.0.1 (default port 9090), scraping the local
# inference service (default 127.0.0.1:8000) every 5 s with the labels service="inference-service" and
# environment="dev". Data in .run/prometheus. `make start` runs it; an instance already answering on the
# port is reused.
#   PROMETHEUS_PORT=9090 INFERENCE_TARGET=127.0.0.1:8000 scripts/start-prometheus.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PORT="${PROMETHEUS_PORT:-9090}"
TARGET="${INFERENCE_TARGET:-127.0.0.1:8000}"
DATA="${PROMETHEUS_DATA_DIR:-$ROOT/.run/prometheus}"
if curl -fsS "http://127.0.0.1:$PORT/-/ready" >/dev/null 2>&1; then
  echo "start-prometheus: a Prometheus already answers on 127.0.0.1:$PORT; reusing it"
  exit 0
fi
mkdir -p "$DATA"
sed -e "s/@INFERENCE_TARGET@/$TARGET/" -e "s/@PROMETHEUS_TARGET@/127.0.0.1:$PORT/" \
  "$ROOT/config/prometheus/prometheus.yml.template" >"$DATA/prometheus.yml"
exec prometheus \
  --config.file="$DATA/prometheus.yml" \
  --storage.tsdb.path="$DATA/data" \
  --storage.tsdb.retention.time=7d \
  --web.listen-address="127.0.0.1:$PORT"
