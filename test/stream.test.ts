import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { runCli, ROOT, tempDir } from './helpers.js';

/** What `helm template` prints for a real chart, as Helm hands it to a post-renderer (its header says whence). */
const HELM_RENDERED = readFileSync(join(ROOT, 'test', 'real-world', 'upstream', 'helm-template-otel-collector.yaml'), 'utf8');

const STREAM = `# rendered by a tool
%YAML 1.2
---
# Source: chart/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web   # the front door
spec:
  ports: [{port: 80}]
--- # a document of nothing but a comment
---
just a note, not a resource
...
---
# Source: chart/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app   # the app
        image: app
        command: ["/app"]
        
      - name: cloud-sql-proxy
        image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0
        args: [--health-check, --http-address=0.0.0.0, "p:r:db"]
        readinessProbe:
          httpGet: {path: /readiness, port: 9090}
---
apiVersion: v1
kind: List
items: []
`;

function documents(text: string): unknown[] {
  return jsYaml.loadAll(text);
}

describe('plain manifest streams in and out (issue 18: Helm post-renderer, order-containers FILE...)', () => {
  it('passes a stream through byte for byte when there is nothing to do: markers, directives, comments, a scalar document', () => {
    for (const args of [[], ['-d', 'sidecars=envoy']]) {
      const r = runCli(args, STREAM);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, STREAM);
    }
  });

  it('passes 16 million comment lines (64 MB, within the size limit) through in a heap of 512 MB', () => {
    // Each line was an object in an array: 2.4 GB for 21 million of them.
    const text = '# a\n'.repeat(16_000_000);
    const r = runCli([], text, { NODE_OPTIONS: '--max-old-space-size=512' });
    assert.equal(r.code, 0, r.stderr.slice(0, 2000));
    assert.ok(r.stdout === text, 'byte for byte');
  });

  it('orders the workloads of a stream, leaves every other document and every comment where it was, and says so on stderr', () => {
    const r = runCli(['-d', 'sidecars=cloud-sql-proxy'], STREAM);
    assert.equal(r.code, 0, r.stderr);
    const [before, after] = [STREAM, r.stdout].map((t) => t.split('# Source: chart/templates/deployment.yaml'));
    assert.equal(after![0], before![0], 'everything before the Deployment is as it was');
    assert.ok(after![1]!.endsWith('---\napiVersion: v1\nkind: List\nitems: []\n'), 'and what follows it');
    assert.match(after![1]!, / {6}- name: app {3}# the app\n/, "the app's comment is kept");
    const deployment = documents(r.stdout).find((d) => (d as { kind?: string } | null)?.kind === 'Deployment') as {
      spec: { template: { spec: { initContainers: { name: string; restartPolicy: string }[] } } };
    };
    assert.deepEqual(
      deployment.spec.template.spec.initContainers.map((c) => [c.name, c.restartPolicy]),
      [['cloud-sql-proxy', 'Always']],
    );
    assert.deepEqual(r.stderr.trimEnd().split('\n'), [
      'order-containers: info: ConfigMap/function-input: 1 selected workload: 1 ordered',
      'order-containers: info: Deployment/web: start order (native): cloud-sql-proxy(ready) -> app',
    ]);
  });

  it('exits 1 with the error on stderr and the stream unchanged when an order cannot be realised, 3 on a bad config', () => {
    const refused = runCli(['-d', 'sidecars=app'], STREAM);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, STREAM);
    assert.match(refused.stderr, /^order-containers: error: Deployment\/web spec\.template\.spec\.containers\[0\]\.readinessProbe: /m);
    const bad = runCli(['-d', 'strategy=fast'], STREAM);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /functionConfig data\.strategy: expected "auto" \| "native" \| "entrypoint" \| "postStart", got "fast"/);
  });

  it('keeps CRLF line breaks: byte for byte when untouched, and in the lines it writes', () => {
    const crlf = STREAM.replace(/\n/g, '\r\n');
    assert.equal(runCli([], crlf).stdout, crlf);
    const r = runCli(['-d', 'sidecars=cloud-sql-proxy'], crlf);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /[^\r]\n/, 'every line ends in CRLF');
    assert.match(r.stdout, /initContainers:\r\n/);
  });

  it('refuses a stream on stdin that is not UTF-8, naming the byte, rather than pass it on with the byte replaced', () => {
    const bytes = Buffer.concat([
      Buffer.from(`${STREAM}---\napiVersion: v1\nkind: ConfigMap\ndata:\n  name: caf`),
      Buffer.from([0xe9, 0x0a]),
    ]);
    const r = runCli(['-d', 'sidecars=cloud-sql-proxy'], bytes);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `order-containers: input is not valid UTF-8 (line ${STREAM.split('\n').length + 4}, column 12)\n`);
  });

  it('refuses a file, or a file of a folder, that is not UTF-8, by its path, in a stream and in explain', () => {
    const dir = tempDir('stream-utf8');
    mkdirSync(join(dir, 'apps'));
    const file = join(dir, 'apps', 'settings.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\ndata:\n  name: caf'), Buffer.from([0xe9, 0x0a])]));
    for (const args of [[file], [join(dir, 'apps')], ['explain', '-i', join(dir, 'apps')]]) {
      const r = runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `order-containers: ${file} is not valid UTF-8 (line 4, column 12)\n`);
    }
  });

  it('reads files, folders and - as one stream, in the order given', () => {
    const dir = tempDir('stream');
    writeFileSync(join(dir, 'service.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n');
    mkdirSync(join(dir, 'apps'));
    writeFileSync(join(dir, 'apps', 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: app}]}');
    const r = runCli([join(dir, 'apps'), '-', join(dir, 'service.yaml')], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: app}]}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n',
    );
    assert.equal(runCli(['-i', join(dir, 'service.yaml'), join(dir, 'service.yaml')]).code, 2, '-i and arguments both');
  });

  it("takes Helm's rendered chart on stdin and gives it back on stdout, as a post-renderer must: untouched byte for byte, a pod of sidecars alone left as it is", () => {
    for (const args of [[], ['-d', 'presets=otel-collector', '-d', 'kubernetesVersion=1.30']]) {
      const r = runCli(args, HELM_RENDERED);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, HELM_RENDERED);
    }
  });

  it("orders the chart's Deployment once it has an app beside its collector, and changes nothing else in Helm's output", () => {
    const withApp = HELM_RENDERED.replace(
      '      containers:\n        - name: opentelemetry-collector\n',
      '      containers:\n        - name: app\n          image: ghcr.io/example/app:1.0\n        - name: opentelemetry-collector\n',
    );
    const r = runCli(['-d', 'presets=otel-collector', '-d', 'kubernetesVersion=1.30'], withApp);
    assert.equal(r.code, 0, r.stderr);
    const split = (t: string) => t.split('# Source: opentelemetry-collector/templates/deployment.yaml');
    assert.equal(split(r.stdout)[0], split(withApp)[0], 'the ConfigMap and the Service are as Helm wrote them');
    const docs = documents(r.stdout) as { kind: string; spec: { template: { spec: { initContainers?: { name: string }[] } } } }[];
    assert.deepEqual(
      docs.map((d) => d.kind),
      ['ConfigMap', 'Service', 'Deployment'],
    );
    assert.deepEqual(
      docs[2]!.spec.template.spec.initContainers?.map((c) => c.name),
      ['opentelemetry-collector'],
    );
    assert.match(r.stderr, /start order \(native\): opentelemetry-collector\(ready\) -> app/);
  });

  it('reads a manifest written as JSON (kubectl get -o json) as a stream of one document', () => {
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'app' }, { name: 'proxy', readinessProbe: { tcpSocket: { port: 1 } } }] },
    });
    assert.equal(runCli([], json).stdout, json);
    const r = runCli(['-d', 'sidecars=proxy'], json);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /start order \(native\): proxy\(ready\) -> app/);
  });

  it('keeps a ResourceList on stdin a ResourceList', () => {
    const list = readFileSync(join(ROOT, 'examples', 'quick-start.yaml'), 'utf8');
    const r = runCli([], list);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^kind: ResourceList$/m);
    assert.match(r.stdout, /^results:$/m);
  });
});

describe('the Helm 4 post-renderer plugin (helm-plugin/plugin.yaml)', () => {
  it('is a postrenderer/v1 plugin of the subprocess runtime that runs order-containers, as Helm 4 documents plugin.yaml', () => {
    const plugin = jsYaml.load(readFileSync(join(ROOT, 'helm-plugin', 'plugin.yaml'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(plugin, {
      apiVersion: 'v1',
      type: 'postrenderer/v1',
      name: 'order-containers',
      version: (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
      runtime: 'subprocess',
      runtimeConfig: { platformCommand: [{ command: 'order-containers' }] },
    });
  });
});
