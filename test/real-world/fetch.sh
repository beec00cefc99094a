#!/usr/bin/env bash
# Fetches the packages test/real-world/sources.yaml names, from Debian's archive with apt-get, and
# unpacks them (no install, no maintainer scripts) under REAL_WORLD_DIR (default .real-world/). Their
# files stay out of the repository: only where they come from, and under which licence, is written here.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${REAL_WORLD_DIR:-.real-world}
mkdir -p "$dir/debs" "$dir/root"
packages=$(sed -n 's/^ *package: *\([a-z0-9.+-]*\).*/\1/p' test/real-world/sources.yaml | sort -u)
cd "$dir/debs"
# shellcheck disable=SC2086
if ! apt-get download -qq $packages 2>/dev/null; then
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get download -qq $packages
fi
for deb in *.deb; do dpkg-deb -x "$deb" ../root; done
echo "real-world sources unpacked under $dir/root: $packages"
