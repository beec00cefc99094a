import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderText } from '../src/explain/formats.js';
import type { PodTimeline } from '../src/explain/timeline.js';
import { requireBinary, runCli, ROOT, tempDir } from './helpers.js';
import { mermaidParse } from './mermaid.js';

const EXAMPLES = join(ROOT, 'examples');
const GOLDEN = join(ROOT, 'test', 'golden');
const names = readdirSync(EXAMPLES).filter((n) => existsSync(join(EXAMPLES, n, '.expected', 'config.yaml')));
const FORMATS = { text: 'txt', mermaid: 'mmd', dot: 'dot', json: 'json' } as const;

describe('explain', () => {
  for (const name of names) {
    it(`${name}: text, mermaid, dot and json match their golden files, and parse`, async function () {
      for (const [format, ext] of Object.entries(FORMATS)) {
        const r = runCli(['explain', '-i', join(EXAMPLES, name), '--format', format]);
        assert.ok(r.code === 0 || r.code === 1, r.stderr);
        const golden = join(GOLDEN, `${name}.${ext}`);
        if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, r.stdout);
        assert.equal(r.stdout, readFileSync(golden, 'utf8'), `${name}.${ext}`);
        if (format === 'mermaid') assert.equal(await mermaidParse(r.stdout), undefined, 'Mermaid parses it');
        if (format === 'json') assert.ok(Array.isArray(JSON.parse(r.stdout)), 'a JSON list of timelines');
        if (format === 'dot') {
          const dot = requireBinary(this, 'dot (Debian package graphviz)', ['/usr/bin/dot', '/usr/local/bin/dot']);
          const svg = spawnSync(dot, ['-Tsvg'], { input: r.stdout, encoding: 'utf8' });
          assert.equal(svg.status, 0, svg.stderr);
          assert.match(svg.stdout, /<svg/);
        }
      }
    });
  }

  it("reads the function's own output and gives the same order without the config", () => {
    const applied = runCli(['-f', join(EXAMPLES, 'migrate-then-serve', 'container-order.yaml')], resourceListOf('migrate-then-serve'));
    assert.equal(applied.code, 0, applied.stderr);
    const withoutConfig = applied.stdout.replace(/\nfunctionConfig:[\s\S]*$/, '\n');
    const r = runCli(['explain'], withoutConfig);
    assert.equal(r.code, 0, r.stderr);
    // The golden names the file the Deployment comes from; this list's items carry no kpt path annotation.
    assert.equal(
      r.stdout.replace(/\(native\)/, ''),
      readFileSync(join(GOLDEN, 'migrate-then-serve.txt'), 'utf8').replace(/\(native\) in deployment\.yaml/, ''),
    );
  });

  it('names the file of each workload: in a package folder, a file, or as kpt annotates a ResourceList item (issue 18)', () => {
    const list = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: p
    annotations: {internal.config.kubernetes.io/path: team-a/pod.yaml}
  spec: {containers: [{name: app}]}
- apiVersion: v1
  kind: Pod
  metadata:
    name: p
    annotations: {config.kubernetes.io/path: team-b/pod.yaml}
  spec: {containers: [{name: app}]}
`;
    const r = runCli(['explain'], list);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout.split('\n').filter((l) => l.startsWith('Pod')),
      ['Pod p (none) in team-a/pod.yaml', 'Pod p (none) in team-b/pod.yaml'],
    );
  });

  it('explains a package with what its Kptfile pipeline runs: the mutators that name order-containers, never the validator (issue 18)', () => {
    const r = runCli(['explain', '-i', join(EXAMPLES, 'config-sync', 'source')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Deployment shop\/checkout \(native\) in deployment\.yaml\n {3}1\. cloud-sql-proxy +sidecar/);
    const dir = tempDir('explain-pipeline');
    writeFileSync(
      join(dir, 'Kptfile'),
      `apiVersion: kpt.dev/v1
kind: Kptfile
metadata: {name: two-steps}
pipeline:
  mutators:
  - exec: order-containers
    configMap: {sidecars: proxy}
  - exec: order-containers
    configPath: config/rules.yaml
  validators:
  - exec: order-containers
    configMap: {mode: validate, sidecars: other}
`,
    );
    mkdirSync(join(dir, 'config'));
    writeFileSync(
      join(dir, 'config', 'rules.yaml'),
      'apiVersion: order-containers.dev/v1alpha1\nkind: ContainerOrder\nmetadata: {name: rules}\nspec: {rules: [{container: app, after: [{container: migrate, condition: Completed}]}]}\n',
    );
    writeFileSync(
      join(dir, 'pod.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: app}\n  - {name: migrate}\n  - {name: proxy, readinessProbe: {tcpSocket: {port: 5432}}}\n',
    );
    const two = runCli(['explain', '-i', dir]);
    assert.equal(two.code, 0, two.stderr);
    assert.match(two.stdout, /^Pod p \(native\) in pod\.yaml\n {3}1\. proxy +sidecar .*\n {3}2\. migrate +init .*\n {3}3\. app +main/);
  });

  it('recognises orders written by hand: native sidecars, postStart hooks, init containers', () => {
    const manifest = `apiVersion: v1
kind: Pod
metadata: {name: handmade}
spec:
  initContainers:
  - name: setup
  - name: proxy
    restartPolicy: Always
    startupProbe: {tcpSocket: {port: 1}}
  containers:
  - name: app
    lifecycle:
      postStart: {exec: {command: [wait-for-it]}}
  - name: worker
`;
    const r = runCli(['explain', '--format', 'json'], manifest);
    assert.equal(r.code, 0, r.stderr);
    const [t] = JSON.parse(r.stdout) as {
      mechanism: string;
      start: { name: string; phase: string; gate: string; how: string; mechanism?: string }[];
      stop: string[][];
    }[];
    assert.equal(t!.mechanism, 'native');
    assert.deepEqual(
      t!.start.map((s) => [s.name, s.phase, s.gate, s.how]),
      [
        ['setup', 'init', 'completed', 'init container'],
        ['proxy', 'sidecar', 'ready (startupProbe)', 'native sidecar'],
        ['app', 'main', 'postStart hook returned', 'postStart hook'],
        ['worker', 'main', 'started', 'none'],
      ],
    );
    assert.deepEqual(t!.stop, [['app', 'worker'], ['proxy']]);
    assert.deepEqual((t as unknown as { edges: unknown[] }).edges, [
      { from: 'setup', to: 'proxy', gate: 'completed' },
      { from: 'proxy', to: 'app', gate: 'ready (startupProbe)' },
      { from: 'app', to: 'worker', gate: 'postStart hook returned' },
    ]);
  });

  it("names the postStart gate of a pod held by an injector's own hook (Istio's pilot-agent wait), not none (issue 18)", () => {
    const r = runCli(['explain', '-i', join(ROOT, 'test', 'injected', 'istio-1.24.yaml'), '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const [t] = JSON.parse(r.stdout) as { mechanism: string; start: { name: string; how: string }[] }[];
    assert.equal(t!.mechanism, 'postStart');
    assert.deepEqual(
      t!.start.map((s) => [s.name, s.how]),
      [
        ['istio-init', 'init container'],
        ['istio-proxy', 'postStart hook'],
        ['productpage', 'none'],
      ],
    );
  });

  it('numbers the steps in the order they start: a wrapped container after those it waits for, wherever it is in the spec (issue 18)', () => {
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - {name: app, image: app, command: [/app]}
      - {name: proxy, image: proxy, command: [/proxy], readinessProbe: {tcpSocket: {port: 5432}}}
`;
    const r = runCli(['explain', '-d', 'strategy=entrypoint', '-d', 'sidecars=proxy'], manifest);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^ {3}2\. proxy +sidecar +after order-containers-helper completed +entrypoint wrapper\n {3}3\. app +main +after proxy ready/m,
    );
    assert.match(r.stdout, /stop: app, then proxy/);
  });

  it("lists an injector's own init container (Vault's vault-agent-init) as an init container that completes, not as a sidecar", () => {
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: ledger, namespace: shop}
spec:
  template:
    metadata:
      annotations:
        vault.hashicorp.com/agent-inject: "true"
        vault.hashicorp.com/agent-init-first: "true"
        order-containers.dev/applied: "native: vault-agent-init(injected, completed) -> app"
    spec:
      containers:
      - name: app
`;
    const r = runCli(['explain', '--format', 'json'], manifest);
    assert.equal(r.code, 0, r.stderr);
    const [t] = JSON.parse(r.stdout) as { start: { name: string; phase: string; gate: string; how: string }[] }[];
    assert.deepEqual(
      t!.start.map((s) => [s.name, s.phase, s.gate, s.how]),
      [
        ['vault-agent-init', 'init', 'completed', 'injected at admission'],
        ['app', 'main', 'started', 'none'],
      ],
    );
  });

  it('the Mermaid check fails on a broken chart (it is a real parser)', async () => {
    assert.match((await mermaidParse('flowchart LR\n  a["x" -- --> \n')) ?? '', /Parse error/);
  });

  it('reads a multi-document YAML file, and colours text only when asked (a TTY)', () => {
    const file = join(tempDir('explain'), 'stream.yaml');
    writeFileSync(
      file,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: app}]}\n',
    );
    const r = runCli(['explain', '-i', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Pod p (none) in ${file}\n   1. app  main\n  stop: app\n`);
    const timelines = JSON.parse(runCli(['explain', '-i', file, '--format', 'json']).stdout) as PodTimeline[];
    // ANSI escapes are what the colour output is made of.
    // eslint-disable-next-line no-control-regex
    assert.match(renderText(timelines, true), /\x1b\[1mPod p \(none\) in .*stream\.yaml\x1b\[0m/);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(renderText(timelines, false), /\x1b/);
  });

  it('gives a package folder the size limit of the one ResourceList kpt would make of it, before reading a file', () => {
    const dir = tempDir('explain');
    // Sparse files: 80 MB that takes no disk, and would take memory only if read.
    for (const name of ['a.yaml', 'b.yaml']) {
      writeFileSync(join(dir, name), '');
      truncateSync(join(dir, name), 40 * 1024 * 1024);
    }
    const r = runCli(['explain', '-i', dir]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `order-containers: ${dir} (its manifests together) is larger than the limit of 67108864 bytes (64 MiB)\n`);
  });

  it('refuses an unknown format with one line and exit 2', () => {
    const r = runCli(['explain', '--format', 'png'], 'kind: Pod\n');
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'order-containers: --format png: expected one of text, mermaid, dot, json\n');
  });

  it('says what is wrong with a malformed pod template in one line, and draws the other workloads', () => {
    const input = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - image: nginx:1.27
      - name: proxy
        image: envoy:1.31
        readinessProbe: {tcpSocket: {port: 15001}}
---
apiVersion: v1
kind: Pod
metadata: {name: fine}
spec:
  containers:
  - name: app
    image: app
  - name: proxy
    image: envoy:1.31
    readinessProbe: {tcpSocket: {port: 15001}}
`;
    for (const format of ['text', 'mermaid', 'dot', 'json']) {
      const r = runCli(['explain', '-d', 'sidecars=proxy', '--format', format], input);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(
        r.stderr,
        'order-containers: error: Deployment/web: pod template field spec.template.spec.containers[0].name: required field is missing (expected string)\n',
      );
      assert.match(r.stdout, /fine/);
      assert.doesNotMatch(r.stdout, /web/);
    }
  });

  it('the README picture is the DOT of migrate-then-serve, rendered', () => {
    // Graphviz writes a hyphen as &#45;.
    const svg = readFileSync(join(ROOT, 'docs', 'migrate-then-serve.svg'), 'utf8').replace(/&#45;/g, '-');
    for (const label of [
      'cloud-sql-proxy',
      'migrate',
      'api',
      'ready (startupProbe)',
      'completed',
      'stop: api, then cloud-sql-proxy',
      'An arrow A to B',
    ])
      assert.ok(svg.includes(label), label);
    assert.ok(readFileSync(join(ROOT, 'README.md'), 'utf8').includes('docs/migrate-then-serve.svg'));
  });
});

/** A ResourceList of an example's manifests (no Kptfile, no config), as kpt would send it. */
function resourceListOf(name: string): string {
  const dir = join(EXAMPLES, name);
  const docs = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('container-order'))
    .map((f) => readFileSync(join(dir, f), 'utf8'));
  const items = docs.map((d) =>
    d
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`))
      .join('\n')
      .trimEnd(),
  );
  return `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n${items.join('\n')}\n`;
}
