import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { IMAGE as FUNCTION_IMAGE } from '../src/cli/help.js';
import { version } from '../src/cli/io.js';
import { imageEntrypoint, requireBinary, ROOT, tempDir } from './helpers.js';

const KUBECTL_CANDIDATES = [process.env.KUBECTL, '/usr/bin/kubectl', '/usr/local/bin/kubectl'];
const IMAGE = `${FUNCTION_IMAGE}:v${version()}`;

/**
 * A stand-in for `docker` first on PATH: there is no Docker engine here, so it checks the arguments
 * kustomize starts a container function with, takes the `-e` variables, and runs the Dockerfile's
 * ENTRYPOINT on the built project.
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
exec env $env_args ${imageEntrypoint(ROOT)
      .map((a) => `"${a}"`)
      .join(' ')}
`,
  );
  chmodSync(shim, 0o755);
  return bin;
}

/** Runs `kubectl kustomize` on an app of one example's deployment.yaml, ordered with `sidecar`. */
function kustomize(
  kubectl: string,
  example: string,
  sidecar: string,
): { status: number | null; stdout: string; stderr: string; dockerArgs: string[] } {
  const dir = tempDir('kustomize');
  const app = join(dir, 'app');
  mkdirSync(app);
  cpSync(join(ROOT, 'examples', example, 'deployment.yaml'), join(app, 'deployment.yaml'));
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
  - name: ${sidecar}
`,
  );
  const bin = dockerShim(dir);
  const r = spawnSync(kubectl, ['kustomize', '--enable-alpha-plugins', app], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  });
  const dockerArgs = readFileSync(join(dir, 'docker-args'), 'utf8').trim().split(' ');
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, dockerArgs };
}

describe('end to end under the real kustomize (kubectl kustomize)', () => {
  it('runs the function as a container transformer, with the arguments kustomize uses', function () {
    const kubectl = requireBinary(this, 'kubectl', KUBECTL_CANDIDATES);
    const r = kustomize(kubectl, 'native-sidecar', 'cloud-sql-proxy');
    assert.equal(r.status, 0, r.stderr);
    for (const expected of ['run', '--rm', '-i', '--network', 'none', '--user', 'nobody', IMAGE]) {
      assert.ok(r.dockerArgs.includes(expected), `kustomize passed ${expected}: ${r.dockerArgs.join(' ')}`);
    }
    assert.equal(r.dockerArgs[r.dockerArgs.length - 1], IMAGE);
    const deployment = jsYaml.load(r.stdout) as {
      spec: { template: { spec: { initContainers: { name: string; restartPolicy: string }[] } } };
    };
    assert.deepEqual(
      deployment.spec.template.spec.initContainers.map((c) => [c.name, c.restartPolicy]),
      [['cloud-sql-proxy', 'Always']],
    );
  });

  it('shows an error on stderr and fails the build when an order cannot be realised', function () {
    const kubectl = requireBinary(this, 'kubectl', KUBECTL_CANDIDATES);
    const r = kustomize(kubectl, 'error-sidecar-not-ready', 'vault-agent');
    assert.notEqual(r.status, 0);
    assert.match(
      r.stderr,
      /order-containers: error: Deployment\/payments spec\.template\.spec\.containers\[1\]\.readinessProbe: sidecar vault-agent must be Ready/,
    );
  });
});
