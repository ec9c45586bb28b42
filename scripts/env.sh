# Sourced by the Makefile's recipes and by every project script: puts the bootstrapped Node 22 and the
# committed Yarn release first on PATH and derives the registry address at run time (it is never written
# into a file).
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
TOOLS="$ROOT/.tools"
export ROOT TOOLS
export PATH="$TOOLS/bin:$PATH"
if [ -x "$TOOLS/node/bin/node" ] && [ -d "$TOOLS/node/include/node" ]; then
  export PATH="$TOOLS/node/bin:$PATH"
  # Native modules (better-sqlite3) build against the headers of the Node that runs them.
  export npm_config_nodedir="$TOOLS/node"
fi
if [ -z "${YARN_NPM_REGISTRY_SERVER:-}" ]; then
  YARN_NPM_REGISTRY_SERVER="$(npm config get registry 2>/dev/null | sed 's#/*$##')"
  export YARN_NPM_REGISTRY_SERVER
fi
export YARN_ENABLE_TELEMETRY=0
export YARN_ENABLE_PROGRESS_BARS=0
export CHECKPOINT_DISABLE=1
mkdir -p "$TOOLS/bin"
[ -f "$TOOLS/terraformrc" ] || : > "$TOOLS/terraformrc"
export TF_CLI_CONFIG_FILE="$TOOLS/terraformrc"
# Run the Yarn release committed under .yarn/releases with whichever Node is first on PATH.
if [ ! -x "$TOOLS/bin/yarn" ] || ! grep -q '.yarn/releases' "$TOOLS/bin/yarn" 2>/dev/null; then
  cat > "$TOOLS/bin/yarn" <<'WRAPPER'
#!/usr/bin/env bash
root="$(cd "$(dirname "$0")/../.." && pwd)"
exec node "$(ls "$root"/.yarn/releases/yarn-*.cjs | tail -n 1)" "$@"
WRAPPER
  chmod +x "$TOOLS/bin/yarn"
fi
