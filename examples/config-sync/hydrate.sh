#!/bin/sh
# Renders source/ into hydrated/ for Config Sync. Config Sync's renderer has kustomize and helm but no
# Node.js, so the function runs here, in CI, and Config Sync syncs the committed hydrated/ folder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kpt=${KPT:-kpt}
if ! command -v order-containers >/dev/null 2>&1; then
  echo "hydrate.sh: order-containers is not on PATH; install it (README: Install; npm link in a built clone)" >&2
  exit 2
fi
rm -rf "$here/hydrated"
"$kpt" fn render "$here/source" --allow-exec -o "$here/hydrated"
