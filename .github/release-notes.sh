#!/usr/bin/env bash
# Prints the body of CHANGELOG.md's section for VERSION, the GitHub release's notes. The section must be
# a released one, `## [VERSION] - YYYY-MM-DD` (keep-a-changelog); with --unreleased, `## [VERSION] -
# Unreleased` is taken too (CI checks that the version being worked on has its section). Exit 1, naming
# what is missing, where there is no such section or it is empty.
set -euo pipefail
cd "$(dirname "$0")/.."
allow_unreleased=false
if [ "${1:-}" = --unreleased ]; then
  allow_unreleased=true
  shift
fi
version=${1:?usage: release-notes.sh [--unreleased] VERSION}
# No interval expressions ({4}): mawk, the awk of Debian and Ubuntu, has none.
dated="^## \\[${version//./\\.}\\] - [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]\$"
unreleased="^## \\[${version//./\\.}\\] - Unreleased\$"
pattern=$dated
$allow_unreleased && pattern="$dated|$unreleased"
if ! grep -Eq "$pattern" CHANGELOG.md; then
  echo "release-notes.sh: CHANGELOG.md has no section \"## [$version] - YYYY-MM-DD\"$($allow_unreleased && echo ' or "- Unreleased"')" >&2
  exit 1
fi
# The pattern through the environment: awk -v would read its backslashes as escapes.
notes=$(PATTERN=$pattern awk '
  $0 ~ ENVIRON["PATTERN"] { inside = 1; next }
  inside && /^## / { exit }
  inside { print }
' CHANGELOG.md | sed -e '/./,$!d')
if [ -z "$notes" ]; then
  echo "release-notes.sh: CHANGELOG.md's section for $version is empty" >&2
  exit 1
fi
printf '%s\n' "$notes"
