import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { envWithCli, KPT_CANDIDATES, requireBinary, ROOT, runCli, tempDir } from './helpers.js';

/**
 * A package whose render kpt writes back as the function wrote it: kpt moves keys a function added to
 * the end of their mapping (kyaml's order.SyncOrder) and re-attaches comments as kyaml parses them, so
 * here every key the function adds already goes last. Two resources in one file, one untouched, and a
 * file the function leaves alone.
 */
const FILES: Readonly<Record<string, string>> = {
  Kptfile: `apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: shop
  annotations:
    config.kubernetes.io/local-config: "true"
pipeline:
  mutators:
  - exec: order-containers
    configPath: order.yaml
`,
  'order.yaml': `apiVersion: order-containers.dev/v1alpha1
kind: ContainerOrder
metadata:
  name: shop
  annotations:
    config.kubernetes.io/local-config: "true"
spec:
  sidecars:
  - name: proxy
`,
  'apps/web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    owner: shop # kept where kpt's own annotations are taken out
spec:
  template:
    metadata:
      annotations:
        team: web
    spec:
      initContainers:
      - name: migrate
        image: migrate:1
      containers:
      - name: app
        image: web:1
      - name: proxy
        image: proxy:1
        readinessProbe:
          httpGet: {path: /ready, port: 15021}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
data:
  greeting: hello
`,
  'apps/worker.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  template:
    spec:
      containers:
      - name: worker
        image: worker:1
`,
};

function writePackage(dir: string): void {
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

function files(dir: string): Map<string, string> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return new Map(entries.map((e) => [relative(dir, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name), 'utf8')]));
}

/** Each file's hunks in a unified diff, by the path after `+++ b/`; git's function context after `@@` is dropped. */
function hunks(diff: string, strip: RegExp): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of diff.split(/^(?=--- )/m).filter((p) => p.startsWith('--- '))) {
    const [, plus, ...rest] = part.split('\n');
    const path = plus!.replace(/^\+\+\+ b\//, '').replace(strip, '');
    out.set(path, rest.map((line) => line.replace(/^(@@ [^@]+ @@).*$/, '$1')).join('\n'));
  }
  return out;
}

/** `kpt fn render PKG -o OUT` on a copy of the package, and `git diff --no-index` of the two folders. */
function realRender(kpt: string, dir: string): string {
  const rendered = spawnSync(kpt, ['fn', 'render', 'pkg', '--allow-exec', '-o', 'out'], { cwd: dir, encoding: 'utf8', env: envWithCli() });
  assert.equal(rendered.status, 0, rendered.stdout + rendered.stderr);
  const diff = spawnSync('git', ['diff', '--no-index', '--no-color', 'pkg', 'out'], { cwd: dir, encoding: 'utf8' });
  assert.equal(diff.status, 1, `git diff finds a change: ${diff.stderr}`);
  return diff.stdout;
}

describe('--diff: what would change, per file, nothing written (issue 18)', () => {
  it('on files and folders, has the hunks of `git diff --no-index` of a real kpt render, line for line', function () {
    const kpt = requireBinary(this, 'kpt', KPT_CANDIDATES);
    const dir = tempDir('diff');
    writePackage(join(dir, 'pkg'));
    const git = hunks(realRender(kpt, dir), /^out\//);
    assert.deepEqual([...git.keys()], ['apps/web.yaml'], 'the render changed one file');

    const r = spawnSync('order-containers', ['--diff', '-f', 'pkg/order.yaml', 'pkg'], { cwd: dir, encoding: 'utf8', env: envWithCli() });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(hunks(r.stdout, /^pkg\//), git);
    assert.match(r.stdout, /^--- a\/pkg\/apps\/web\.yaml\n\+\+\+ b\/pkg\/apps\/web\.yaml\n@@ /);
    assert.deepEqual(files(join(dir, 'pkg')), new Map(Object.entries(FILES)), 'nothing written');
  });

  it("on a ResourceList from kpt fn source, names each file by kpt's path annotation and has the same hunks", function () {
    const kpt = requireBinary(this, 'kpt', KPT_CANDIDATES);
    const dir = tempDir('diff');
    writePackage(join(dir, 'pkg'));
    const git = hunks(realRender(kpt, dir), /^out\//);
    const source = spawnSync(kpt, ['fn', 'source', join(dir, 'pkg')], { encoding: 'utf8' });
    assert.equal(source.status, 0, source.stderr);
    const r = runCli(['--diff', '-f', join(dir, 'pkg', 'order.yaml')], source.stdout);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^--- a\/apps\/web\.yaml\n\+\+\+ b\/apps\/web\.yaml\n@@ /);
    assert.deepEqual(hunks(r.stdout, /^$/), git);
    assert.match(
      r.stderr,
      /^order-containers: info: Deployment\/web: start order \(native\): proxy\(ready\) -> migrate\(completed\) -> app$/m,
    );
  });

  it('applies with git apply to give what the stream form writes', () => {
    const dir = tempDir('diff');
    writePackage(join(dir, 'pkg'));
    const env = envWithCli();
    const cli = (...args: string[]) => spawnSync('order-containers', args, { cwd: dir, encoding: 'utf8', env });
    const diff = cli('--diff', '-f', 'pkg/order.yaml', 'pkg/apps/web.yaml');
    const written = cli('-f', 'pkg/order.yaml', 'pkg/apps/web.yaml');
    assert.equal(diff.status, 0, diff.stderr);
    writeFileSync(join(dir, 'web.patch'), diff.stdout);
    const applied = spawnSync('git', ['apply', 'web.patch'], { cwd: dir, encoding: 'utf8' });
    assert.equal(applied.status, 0, applied.stderr);
    assert.equal(readFileSync(join(dir, 'pkg', 'apps', 'web.yaml'), 'utf8'), written.stdout);
  });

  it('prints nothing when nothing would change, and keeps the exit codes: 1 for an error result, 3 for a bad config', () => {
    const dir = tempDir('diff');
    writePackage(join(dir, 'pkg'));
    const worker = join(dir, 'pkg', 'apps', 'worker.yaml');
    const untouched = runCli(['--diff', '-d', 'sidecars=proxy', worker]);
    assert.equal(untouched.code, 0, untouched.stderr);
    assert.equal(untouched.stdout, '');
    const unrealisable = runCli(['--diff', '-d', 'order=app > proxy > app', join(dir, 'pkg', 'apps', 'web.yaml')]);
    assert.equal(unrealisable.code, 1, unrealisable.stderr);
    assert.equal(unrealisable.stdout, '');
    assert.match(unrealisable.stderr, /^order-containers: error: /m);
    assert.equal(runCli(['--diff', '-d', 'bogus=1', worker]).code, 3);
    assert.equal(readFileSync(worker, 'utf8'), FILES['apps/worker.yaml']);
  });

  it('refuses -o and --json: it writes nothing, and reads the YAML kpt writes', () => {
    const r = runCli(['--diff', '-o', '/dev/null'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'order-containers: --diff prints the diff on stdout and writes nothing: leave out -o\n');
    assert.equal(runCli(['--diff', '--json'], '{}').code, 2);
  });
});

describe('explain --diff: each workload before the function and after it', () => {
  const example = join(ROOT, 'examples', 'native-sidecar');

  it('shows a changed timeline both ways, its lines marked - and +', () => {
    const r = runCli(['explain', '--diff', '-i', example]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `-Deployment shop/checkout (none) in deployment.yaml
-   1. app              main
-   2. cloud-sql-proxy  main     after app started
-  stop: app + cloud-sql-proxy
+Deployment shop/checkout (native) in deployment.yaml
+   1. cloud-sql-proxy  sidecar  native sidecar
+   2. app              main     after cloud-sql-proxy ready (startupProbe)
+  stop: app, then cloud-sql-proxy
`,
    );
  });

  it('shows a workload already in order once, unmarked, as explain does', () => {
    const dir = tempDir('explain-diff');
    const rendered = runCli(['-f', join(example, 'container-order.yaml'), join(example, 'deployment.yaml')]);
    writeFileSync(join(dir, 'deployment.yaml'), rendered.stdout);
    const r = runCli(['explain', '--diff', '-f', join(example, 'container-order.yaml'), '-i', join(dir, 'deployment.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    const plain = runCli(['explain', '-f', join(example, 'container-order.yaml'), '-i', join(dir, 'deployment.yaml')]);
    assert.equal(r.stdout, plain.stdout.replace(/\n+$/, '\n'));
    assert.doesNotMatch(r.stdout, /^[-+]/m);
  });

  it('gives a {before, after} pair per workload as JSON, and refuses the picture formats', () => {
    const r = runCli(['explain', '--diff', '--format', 'json', '-i', example]);
    assert.equal(r.code, 0, r.stderr);
    const pairs = JSON.parse(r.stdout) as { before: { mechanism: string }; after: { mechanism: string } }[];
    assert.deepEqual(
      pairs.map((p) => [p.before.mechanism, p.after.mechanism]),
      [['none', 'native']],
    );
    const dot = runCli(['explain', '--diff', '--format', 'dot', '-i', example]);
    assert.equal(dot.code, 2);
    assert.equal(dot.stderr, 'order-containers: --diff shows timelines as text or json, not dot\n');
  });
});
