#!/usr/bin/env bash
# Azurite's blob service on 127.0.0.1:10000 with the emulator's default account (reach it with the
# connection string `UseDevelopmentStorage=true`), data in .run/azurite. Runs in the foreground until
# SIGTERM; if an Azurite already listens on 10000 it says so and exits 0. Needs `yarn install` first.
# `yarn workspace @devops-app/inference start:local` does the same and also runs the service.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"

if (exec 3<>/dev/tcp/127.0.0.1/10000) 2>/dev/null; then
  echo "start-azurite: something already listens on 127.0.0.1:10000; reusing it"
  exit 0
fi
unset AZURITE_ACCOUNTS # the default account is what UseDevelopmentStorage=true expects
mkdir -p "$ROOT/.run/azurite"
exec node "$ROOT/node_modules/azurite/dist/src/blob/main.js" \
  --blobHost 127.0.0.1 --blobPort 10000 \
  --location "$ROOT/.run/azurite" \
  --disableTelemetry --skipApiVersionCheck --loose
