# Sourced by the Makefile's recipes and by every project script: puts the bootstrapped Node 22 first on
# PATH and derives the registry address at run time (it is never written into a file).
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
TOOLS="$ROOT/.tools"
export ROOT TOOLS
if [ -x "$TOOLS/node/bin/node" ]; then
  export PATH="$TOOLS/node/bin:$TOOLS/bin:$PATH"
  export npm_config_nodedir="$TOOLS/node"
else
  export PATH="$TOOLS/bin:$PATH"
fi
if [ -z "${YARN_NPM_REGISTRY_SERVER:-}" ]; then
  YARN_NPM_REGISTRY_SERVER="$(npm config get registry 2>/dev/null | sed 's#/*$##')"
  export YARN_NPM_REGISTRY_SERVER
fi
export YARN_ENABLE_TELEMETRY=0
export CHECKPOINT_DISABLE=1
mkdir -p "$TOOLS"
[ -f "$TOOLS/terraformrc" ] || : > "$TOOLS/terraformrc"
export TF_CLI_CONFIG_FILE="$TOOLS/terraformrc"
