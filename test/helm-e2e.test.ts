import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { version } from '../src/cli/io.js';
import { envWithCli, requireBinary, ROOT, runCli, tempDir } from './helpers.js';

/** Unpacked by test/helm/fetch.sh (which .ci/run calls), or given with HELM3 / HELM4. */
const HELM3_CANDIDATES = [process.env.HELM3, join(ROOT, '.helm', 'v3', 'helm')];
const HELM4_CANDIDATES = [process.env.HELM4, join(ROOT, '.helm', 'v4', 'helm')];
const CHART = join(ROOT, 'test', 'helm', 'chart');
const POST_RENDERER_ARGS = [
  '--post-renderer',
  'order-containers',
  '--post-renderer-args',
  '-d',
  '--post-renderer-args',
  'presets=cloud-sql-proxy',
];
const A_CYCLE = ['--post-renderer-args', '-d', '--post-renderer-args', 'order=app > cloud-sql-proxy > app'];

/** Helm with its own home (plugins, cache, config) in a fresh folder, and order-containers on PATH. */
function helmIn(helm: string): (...args: string[]) => { status: number | null; stdout: string; stderr: string } {
  const home = tempDir('helm');
  const env = {
    ...envWithCli(),
    HELM_DATA_HOME: join(home, 'data'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
  };
  return (...args) => spawnSync(helm, args, { cwd: ROOT, encoding: 'utf8', env, timeout: 120_000 });
}

/** What the chart renders to without a post-renderer, and what order-containers makes of that stream. */
function expected(helm: ReturnType<typeof helmIn>): { plain: string; ordered: string } {
  const plain = helm('template', 'web', CHART);
  assert.equal(plain.status, 0, plain.stderr);
  const ordered = runCli(['-d', 'presets=cloud-sql-proxy'], plain.stdout);
  assert.equal(ordered.code, 0, ordered.stderr);
  return { plain: plain.stdout, ordered: ordered.stdout };
}

function assertOrdered(out: string, plain: string): void {
  assert.match(out, /initContainers:\n {6}- name: cloud-sql-proxy\n(?: {8}.*\n)* {8}restartPolicy: Always\n {8}startupProbe:/);
  const service = (t: string) => t.split('# Source: shop/templates/deployment.yaml')[0];
  assert.equal(service(out), service(plain), 'the Service is as Helm rendered it');
}

describe('end to end under a real Helm: order-containers as the post-renderer', () => {
  it('Helm 3 runs the executable on PATH: the chart comes out ordered, as order-containers orders helm template', function () {
    const helm = helmIn(requireBinary(this, 'helm 3', HELM3_CANDIDATES));
    const { plain, ordered } = expected(helm);
    const r = helm('template', 'web', CHART, ...POST_RENDERER_ARGS);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, ordered);
    assertOrdered(r.stdout, plain);
  });

  it('Helm 3 fails the render, with the error on stderr, when the order cannot be realised', function () {
    const helm = helmIn(requireBinary(this, 'helm 3', HELM3_CANDIDATES));
    const r = helm('template', 'web', CHART, ...POST_RENDERER_ARGS, ...A_CYCLE);
    assert.notEqual(r.status, 0);
    assert.match(
      r.stderr,
      /order-containers: error: Deployment\/web-checkout: the declared order has a cycle: app -> cloud-sql-proxy -> app/,
    );
  });

  it('Helm 4 runs helm-plugin/ once installed: the same output, and a failed render on an error', function () {
    const helm = helmIn(requireBinary(this, 'helm 4', HELM4_CANDIDATES));
    const installed = helm('plugin', 'install', join(ROOT, 'helm-plugin'));
    assert.equal(installed.status, 0, installed.stderr);
    assert.match(
      helm('plugin', 'list').stdout,
      new RegExp(`^order-containers\\s+${version().replaceAll('.', '\\.')}\\s+postrenderer/v1`, 'm'),
    );
    const { plain, ordered } = expected(helm);
    const r = helm('template', 'web', CHART, ...POST_RENDERER_ARGS);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, ordered);
    assertOrdered(r.stdout, plain);
    const failed = helm('template', 'web', CHART, ...POST_RENDERER_ARGS, ...A_CYCLE);
    assert.notEqual(failed.status, 0);
    assert.match(failed.stderr, /post-renderer plugin "order-containers"/);
  });
});
