import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { CLI, requireBinary, ROOT, tempDir } from './helpers.js';

const KUBECTL_CANDIDATES = [process.env.KUBECTL, '/usr/bin/kubectl', '/usr/local/bin/kubectl'];
const IMAGE = 'ghcr.io/example/order-containers:v0.1.0';

/**
 * A stand-in for `docker` first on PATH: there is no Docker engine here, so it checks the arguments
 * kustomize starts a container function with, takes the `-e` variables, and runs the built function as
 * the image's ENTRYPOINT would.
 */
function dockerShim(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const shim = join(bin, 'docker');
  writeFileSync(
    shim,
    `#!/bin/sh
printf '%s\\n' "$*" > "${join(dir, 'docker-args')}"
[ "$1" = run ] || { echo "docker shim: expected run, got $1" >&2; exit 125; }
env_args=""
while [ $# -gt 1 ]; do
  shift
  case "$1" in
    -e) shift; env_args="$env_args $1" ;;
  esac
done
exec env $env_args "${process.execPath}" "${CLI}"
`,
  );
  chmodSync(shim, 0o755);
  return bin;
}

describe('end to end under the real kustomize (kubectl kustomize)', () => {
  it('runs the function as a container transformer, with the arguments kustomize uses', function () {
    const kubectl = requireBinary(this, 'kubectl', KUBECTL_CANDIDATES);
    const dir = tempDir('kustomize');
    const app = join(dir, 'app');
    mkdirSync(app);
    cpSync(join(ROOT, 'examples', 'native-sidecar', 'deployment.yaml'), join(app, 'deployment.yaml'));
    writeFileSync(join(app, 'kustomization.yaml'), 'resources: [deployment.yaml]\ntransformers: [container-order.yaml]\n');
    writeFileSync(
      join(app, 'container-order.yaml'),
      `apiVersion: order-containers.dev/v1alpha1
kind: ContainerOrder
metadata:
  name: order
  annotations:
    config.kubernetes.io/function: |
      container:
        image: ${IMAGE}
spec:
  sidecars:
  - name: cloud-sql-proxy
`,
    );
    const bin = dockerShim(dir);
    const r = spawnSync(kubectl, ['kustomize', '--enable-alpha-plugins', app], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    assert.equal(r.status, 0, r.stderr);
    const args = readFileSync(join(dir, 'docker-args'), 'utf8').trim().split(' ');
    for (const expected of ['run', '--rm', '-i', '--network', 'none', '--user', 'nobody', IMAGE]) assert.ok(args.includes(expected), `kustomize passed ${expected}: ${args.join(' ')}`);
    assert.equal(args[args.length - 1], IMAGE);
    const deployment = jsYaml.load(r.stdout) as { spec: { template: { spec: { initContainers: { name: string; restartPolicy: string }[] } } } };
    assert.deepEqual(
      deployment.spec.template.spec.initContainers.map((c) => [c.name, c.restartPolicy]),
      [['cloud-sql-proxy', 'Always']],
    );
  });

  it('shows an error on stderr and fails the build when an order cannot be realised', function () {
    const kubectl = requireBinary(this, 'kubectl', KUBECTL_CANDIDATES);
    const dir = tempDir('kustomize');
    const app = join(dir, 'app');
    mkdirSync(app);
    cpSync(join(ROOT, 'examples', 'error-sidecar-not-ready', 'deployment.yaml'), join(app, 'deployment.yaml'));
    writeFileSync(join(app, 'kustomization.yaml'), 'resources: [deployment.yaml]\ntransformers: [container-order.yaml]\n');
    writeFileSync(
      join(app, 'container-order.yaml'),
      `apiVersion: order-containers.dev/v1alpha1\nkind: ContainerOrder\nmetadata:\n  name: order\n  annotations:\n    config.kubernetes.io/function: |\n      container:\n        image: ${IMAGE}\nspec:\n  sidecars:\n  - name: vault-agent\n`,
    );
    const bin = dockerShim(dir);
    const r = spawnSync(kubectl, ['kustomize', '--enable-alpha-plugins', app], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /order-containers: error: Deployment\/payments spec\.template\.spec\.containers\[1\]\.readinessProbe: sidecar vault-agent must be Ready/);
  });
});
