#!/usr/bin/env bash
# Debian packages the portal's local services and tests need: chromium (browser tests), prometheus
# (promtool and the local Prometheus), postgresql (a throwaway cluster for multi-instance tests), unzip,
# docker-registry (the local image registry of `make start` and the tests, scripts/start-registry.sh).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
command -v git >/dev/null 2>&1 || missing+=(git)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install: Debian packages ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian packages start services through init scripts where they can; the project runs its own
# instances on 127.0.0.1, so stop any that did start.
for svc in prometheus postgresql docker-registry; do
  $sudo service "$svc" stop >/dev/null 2>&1 || true
done
