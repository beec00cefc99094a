import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { IMAGE } from '../src/cli/help.js';
import { version } from '../src/cli/io.js';
import { CLI, imageEntrypoint, KPT_CANDIDATES, requireBinary, ROOT, runCli, tempDir } from './helpers.js';

/** A package with what kpt must not lose: comments everywhere, several resources in one file, subfolders. */
const FILES: Readonly<Record<string, string>> = {
  Kptfile: `apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: shop
  annotations:
    config.kubernetes.io/local-config: "true"
pipeline:
  mutators:
  - exec: ${CLI}
    configPath: order.yaml
`,
  'order.yaml': `# How the shop's pods start.
apiVersion: order-containers.dev/v1alpha1
kind: ContainerOrder
metadata:
  name: shop
  annotations:
    config.kubernetes.io/local-config: "true"
spec:
  sidecars:
  - name: proxy
`,
  'apps/web.yaml': `# Web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # front door
spec:
  template:
    spec:
      containers:
      # serves the shop
      - name: app
        image: web:1
        env:
        - name: MODE
          value: "on" # quoted: YAML 1.1 reads on as true
      - name: proxy # mesh proxy
        image: proxy:1
        readinessProbe:
          httpGet: {path: /ready, port: 15021}
---
# Not a workload: must come out as it went in.
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
data:
  greeting: |
    hello
    # not a comment, part of the text
`,
  'apps/batch/report.yaml': `apiVersion: batch/v1
kind: Job
metadata:
  name: report
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: report
        image: report:1
      - name: proxy
        image: proxy:1
        readinessProbe:
          tcpSocket: {port: 15021}
`,
};

function writePackage(dir: string): void {
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function commentsOf(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /^\s*#|\s#\s/.test(l))
    .map((l) => l.slice(l.indexOf('#')));
}

function checkPackage(dir: string, added: readonly string[] = []): void {
  assert.deepEqual(filesUnder(dir), [...Object.keys(FILES), ...added].sort(), 'no file renamed, added or deleted');
  for (const [path, original] of Object.entries(FILES)) {
    if (path === 'Kptfile') continue;
    const now = readFileSync(join(dir, path), 'utf8');
    for (const comment of commentsOf(original)) assert.ok(now.includes(comment), `${path} keeps ${comment}`);
  }
  const web = readFileSync(join(dir, 'apps/web.yaml'), 'utf8');
  assert.match(web, /initContainers:\n {6}- name: proxy # mesh proxy\n(.*\n)* {8}restartPolicy: Always\n/);
  assert.ok(web.includes('value: "on" # quoted'), 'quoting kept');
  assert.ok(web.endsWith(FILES['apps/web.yaml']!.slice(FILES['apps/web.yaml']!.indexOf('---'))), 'the ConfigMap is untouched');
  assert.match(readFileSync(join(dir, 'apps/batch/report.yaml'), 'utf8'), /initContainers:\n {6}- name: proxy\n/);
  assert.equal(readFileSync(join(dir, 'order.yaml'), 'utf8'), FILES['order.yaml'], 'local config untouched');
}

function kpt(bin: string, args: string[]): string {
  const r = spawnSync(bin, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout + r.stderr;
}

describe('end to end under the real kpt', () => {
  it('kpt fn render --allow-exec orders the package and keeps every file and comment, twice', function () {
    const bin = requireBinary(this, 'kpt', KPT_CANDIDATES);
    const dir = tempDir('render');
    writePackage(dir);
    const output = kpt(bin, ['fn', 'render', dir, '--allow-exec']);
    checkPackage(dir);
    const once = filesUnder(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
    kpt(bin, ['fn', 'render', dir, '--allow-exec']);
    assert.deepEqual(
      filesUnder(dir).map((f) => readFileSync(join(dir, f), 'utf8')),
      once,
      'idempotent',
    );
    assert.match(output, /\[PASS\]/);
  });

  it('kpt fn eval --exec with key=value arguments does the same', function () {
    const bin = requireBinary(this, 'kpt', KPT_CANDIDATES);
    const dir = tempDir('eval');
    writePackage(dir);
    const output = kpt(bin, ['fn', 'eval', dir, '--exec', CLI, '--', 'sidecars=proxy']);
    checkPackage(dir);
    assert.match(output, /start order \(native\): proxy\(ready\) -> app/);
  });

  it('as a Kptfile validator (mode: validate), fails a package whose order is not realised and passes once it is', function () {
    const bin = requireBinary(this, 'kpt', KPT_CANDIDATES);
    const dir = tempDir('validate');
    writePackage(dir);
    writeFileSync(
      join(dir, 'validate.yaml'),
      FILES['order.yaml']!.replace('spec:\n', 'spec:\n  mode: validate\n').replace('name: shop', 'name: shop-validate'),
    );
    const validatorOnly = FILES['Kptfile']!.replace(
      /mutators:\n[\s\S]*$/,
      `validators:\n  - exec: ${CLI}\n    configPath: validate.yaml\n`,
    );
    writeFileSync(join(dir, 'Kptfile'), validatorOnly);
    const failed = spawnSync(bin, ['fn', 'render', dir, '--allow-exec'], { cwd: ROOT, encoding: 'utf8' });
    assert.notEqual(failed.status, 0);
    assert.match(failed.stdout + failed.stderr, /the declared order is not realised/);
    assert.equal(readFileSync(join(dir, 'apps/web.yaml'), 'utf8'), FILES['apps/web.yaml'], 'a validator changes nothing');

    writeFileSync(
      join(dir, 'Kptfile'),
      FILES['Kptfile']!.replace(
        '    configPath: order.yaml\n',
        `    configPath: order.yaml\n  validators:\n  - exec: ${CLI}\n    configPath: validate.yaml\n`,
      ),
    );
    kpt(bin, ['fn', 'render', dir, '--allow-exec']);
    checkPackage(dir, ['validate.yaml']);
  });

  it("kpt fn eval's first four printed results are the ones to act on: the typo's warning, then the summary (issue 18)", function () {
    const bin = requireBinary(this, 'kpt', KPT_CANDIDATES);
    const dir = tempDir('results');
    writePackage(dir);
    const r = spawnSync(bin, ['fn', 'eval', dir, '--exec', CLI, '--', 'sidecars=proxy,prxy'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    // kpt prints "  Results:", then the first results, one per line, then how many it left out.
    const printed = (r.stdout + r.stderr).split('\n');
    const first = printed
      .slice(printed.findIndex((l) => l.trim() === 'Results:') + 1)
      .filter((l) => /^\s+\[(error|warning|info)\]/.test(l));
    assert.match(first[0]!, /\[warning\] .*sidecar prxy is not a container of any selected workload; did you mean proxy\?/);
    assert.match(first[1]!, /\[info\] .*2 selected workloads: 2 ordered/);
    assert.ok(!printed.some((l) => /prxy is not a container of this pod/.test(l)), 'no per-workload line for the typo');
  });

  it("kpt fn doc --image prints the function's documentation: the image's ENTRYPOINT run with --help", function () {
    const bin = requireBinary(this, 'kpt', KPT_CANDIDATES);
    const image = `${IMAGE}:v${version()}`;
    // No Docker engine here: a stand-in answers kpt's version check, and runs the Dockerfile's ENTRYPOINT for `run`.
    const shims = join(tempDir('fn-doc'), 'bin');
    mkdirSync(shims);
    writeFileSync(
      join(shims, 'docker'),
      `#!/bin/sh
case "$1" in
  version) echo 24.0.0 ;;
  run) [ "$2 $3" = "--rm ${image}" ] || { echo "docker stand-in: unexpected $*" >&2; exit 125; }
    shift 3; exec ${imageEntrypoint(ROOT).join(' ')} "$@" ;;
  *) echo "docker stand-in: unexpected $*" >&2; exit 125 ;;
esac
`,
    );
    chmodSync(join(shims, 'docker'), 0o755);
    const r = spawnSync(bin, ['fn', 'doc', '--image', image], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${shims}:${process.env.PATH}` },
    });
    assert.equal(r.status, 0, r.stderr);
    // kpt adds a newline of its own.
    assert.equal(r.stdout.trimEnd(), runCli(['--help']).stdout.trimEnd());
    assert.match(r.stdout, /^Configuration: the functionConfig is a ContainerOrder/m);
    assert.ok(r.stdout.includes(`kpt fn eval DIR --image ${image} --`), 'an example with this image');
  });
});
