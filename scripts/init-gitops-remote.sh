#!/usr/bin/env bash
# Creates the local GitOps remote the portal commits to (environment files, image tag changes):
# a bare repository at .run/gitops/devops-app.git whose branch main starts as a copy of this checkout's
# charts/, infra/, catalog/ and templates/ at HEAD. It stands in for the project's GitHub repository
# (production opens pull requests there instead). Kept between runs; delete .run/gitops to start over.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
remote="${GITOPS_REMOTE_DIR:-$ROOT/.run/gitops/devops-app.git}"
if [ -d "$remote" ]; then
  echo "$remote"
  exit 0
fi
mkdir -p "$(dirname "$remote")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$ROOT" archive HEAD charts infra catalog $(git -C "$ROOT" ls-tree -d --name-only HEAD templates) | tar -x -C "$work"
git -C "$work" init -q -b main
git -C "$work" -c user.name="Devops-app portal" -c user.email="portal@devops-app.local" add -A
git -C "$work" -c user.name="Devops-app portal" -c user.email="portal@devops-app.local" \
  commit -q -m "Seed from $(git -C "$ROOT" rev-parse --short HEAD)"
git clone -q --bare "$work" "$remote"
echo "$remote"
