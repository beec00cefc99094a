import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import nodeModule from 'node:module';
import jsYaml from 'js-yaml';
import { CLI, runCli, ROOT, skipOrFail, tempDir } from './helpers.js';

const LIST = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    annotations:
      internal.config.kubernetes.io/path: web.yaml
      internal.config.kubernetes.io/index: '0'
  spec:
    template:
      spec:
        containers:
        - name: app
          image: app
        - name: proxy
          image: proxy
          readinessProbe: {tcpSocket: {port: 15000}}
`;

function parse(stdout: string): { items: Record<string, unknown>[]; results: Record<string, unknown>[] } {
  return jsYaml.load(stdout) as { items: Record<string, unknown>[]; results: Record<string, unknown>[] };
}

/**
 * The packages a run of the CLI loaded, imported or required: a module hook notes every file resolved,
 * and the list is printed as the process exits.
 */
function packagesLoaded(args: readonly string[], input: string): Set<string> {
  const hook = `import { registerHooks } from 'node:module';
const seen = [];
registerHooks({ resolve: (specifier, context, next) => { const r = next(specifier, context); seen.push(r.url); return r; } });
process.on('exit', () => process.stderr.write('\\nloaded: ' + JSON.stringify(seen)));`;
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, CLI, ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr);
  const urls = JSON.parse(/\nloaded: (.*)$/.exec(r.stderr)![1]!) as string[];
  return new Set(urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []));
}

describe('command line', () => {
  it('stops quietly when its reader closes the pipe early (| head)', () => {
    const dir = tempDir('cli-pipe');
    const big = LIST + LIST.split('items:\n')[1]!.repeat(2000);
    writeFileSync(join(dir, 'list.yaml'), big);
    const main = join(ROOT, 'dist', 'src', 'main.js');
    const r = spawnSync(
      'sh',
      ['-c', `node "${main}" -i list.yaml -d sidecars=proxy 2>err.txt | head -c 100 >/dev/null; echo $? >/dev/null`],
      {
        cwd: dir,
      },
    );
    assert.equal(r.status, 0);
    assert.equal(readFileSync(join(dir, 'err.txt'), 'utf8'), '', 'nothing on stderr: no EPIPE stack');
  });

  it('writes a large output to a slow reader with nothing on stderr (no listener leak warning)', () => {
    const dir = tempDir('cli-slow-pipe');
    const io = join(ROOT, 'dist', 'src', 'cli', 'io.js');
    // 40 writes of a MiB, each waiting for the pipe to drain: every wait once left listeners on stdout.
    const script = `const { writeChunks } = await import(${JSON.stringify(io)}); await writeChunks(Array(40).fill('x'.repeat(1 << 20)));`;
    writeFileSync(join(dir, 'write.mjs'), script);
    const r = spawnSync('sh', ['-c', 'node write.mjs 2>err.txt | (sleep 1; wc -c)'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), String(40 << 20), 'every byte written');
    assert.equal(readFileSync(join(dir, 'err.txt'), 'utf8'), '', 'nothing on stderr');
  });

  it('orders with -d key=value, like kpt fn eval arguments, and exits 0', () => {
    const r = runCli(['-d', 'sidecars=proxy'], LIST);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const out = parse(r.stdout);
    const spec = (out.items[0] as { spec: { template: { spec: { initContainers: { name: string; restartPolicy: string }[] } } } }).spec
      .template.spec;
    assert.deepEqual(
      spec.initContainers.map((c) => [c.name, c.restartPolicy]),
      [['proxy', 'Always']],
    );
    assert.deepEqual(out.results[1], {
      message: 'start order (native): proxy(ready) -> app',
      severity: 'info',
      resourceRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      file: { path: 'web.yaml', index: 0 },
    });
  });

  it('never touches the annotations kpt and kustomize use to map items to files', () => {
    const annotations = {
      'internal.config.kubernetes.io/path': 'web.yaml',
      'internal.config.kubernetes.io/index': '0',
      'internal.config.kubernetes.io/id': '1',
      'config.kubernetes.io/path': 'web.yaml',
      'config.kubernetes.io/index': '0',
      'config.k8s.io/id': '1',
      'kustomize.config.k8s.io/id': 'apps_v1_Deployment|~X|web',
    };
    const input = LIST.replace(
      "    annotations:\n      internal.config.kubernetes.io/path: web.yaml\n      internal.config.kubernetes.io/index: '0'\n",
      `    annotations:\n${Object.entries(annotations)
        .map(([k, v]) => `      ${k}: '${v}'`)
        .join('\n')}\n`,
    );
    const r = runCli(['-d', 'sidecars=proxy'], input);
    assert.equal(r.code, 0, r.stderr);
    const [item] = parse(r.stdout).items as { metadata: { annotations: unknown } }[];
    assert.deepEqual(item!.metadata.annotations, annotations);
    for (const [k, v] of Object.entries(annotations)) assert.ok(r.stdout.includes(`      ${k}: '${v}'\n`), `${k} written as it came`);
  });

  it('reads -i and -f, and writes -o', () => {
    const dir = tempDir('cli');
    writeFileSync(join(dir, 'in.yaml'), LIST);
    writeFileSync(
      join(dir, 'order.yaml'),
      'apiVersion: order-containers.dev/v1alpha1\nkind: ContainerOrder\nmetadata: {name: o}\nspec:\n  sidecars: [{name: proxy}]\n',
    );
    const r = runCli(['-i', join(dir, 'in.yaml'), '-f', join(dir, 'order.yaml'), '-o', join(dir, 'out.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(readFileSync(join(dir, 'out.yaml'), 'utf8'), /initContainers:\n {8}- name: proxy/);
  });

  it('says there is nothing to do without a functionConfig, and changes nothing', () => {
    const r = runCli([], LIST);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.startsWith(LIST));
    assert.deepEqual(parse(r.stdout).results, [{ message: 'nothing to do: no functionConfig was given', severity: 'info' }]);
  });

  it('exits 1 with an error result naming the workload and field when an order cannot be realised', () => {
    const r = runCli(['-d', 'sidecars=app'], LIST);
    assert.equal(r.code, 1);
    const [result] = parse(r.stdout).results;
    assert.equal(result!.severity, 'error');
    assert.deepEqual(result!.field, { path: 'spec.template.spec.containers[0].readinessProbe' });
    assert.deepEqual(result!.resourceRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });
    assert.ok(r.stdout.startsWith(LIST), 'nothing is changed when the order is refused');
  });

  it('exits 3 with results naming the field of a bad functionConfig', () => {
    const r = runCli(['-d', 'sidecar=proxy'], LIST);
    assert.equal(r.code, 3);
    const [result] = parse(r.stdout).results;
    assert.deepEqual(result, {
      message:
        'functionConfig data.sidecar: unknown field; expected one of mode, strategy, kubernetesVersion, sidecars, order, timeoutSeconds, holdDependents, helperImage, entrypoints, presets, namespace',
      severity: 'error',
      resourceRef: { apiVersion: 'v1', kind: 'ConfigMap', name: 'function-input' },
      field: { path: 'data.sidecar' },
    });
  });

  it('exits 3 when the -f file does not parse', () => {
    const dir = tempDir('cli');
    writeFileSync(join(dir, 'bad.yaml'), 'spec: [\n');
    const r = runCli(['-f', join(dir, 'bad.yaml')], LIST);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^order-containers: function config .*bad\.yaml \(line \d+, column \d+\): .+\n$/);
  });

  for (const [what, input, message] of [
    [
      'malformed YAML',
      'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- a: 1\n  a: 2\n',
      'items[0] (line 5, column 3): duplicated mapping key',
    ],
    [
      'an item that is not a mapping',
      'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- 42\n',
      'items[0] (line 4) is not a mapping (found number)',
    ],
  ] as const) {
    it(`exits 2 with one line on stderr and nothing on stdout for ${what}`, () => {
      const r = runCli(['-d', 'sidecars=proxy'], input);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `order-containers: ${message}\n`);
    });
  }

  it('explain reads manifests with the same limits: an alias bomb is one line and exit 2, at once', () => {
    // The bad-input alias bomb as a plain manifest, which explain parses itself (not as a ResourceList).
    const list = readFileSync(join(ROOT, 'test', 'bad-input', 'alias-bomb.yaml'), 'utf8');
    const file = join(tempDir('cli'), 'bomb.yaml');
    writeFileSync(file, list.slice(list.indexOf('- apiVersion')).replace(/^(?:- | {2})/gm, ''));
    const started = Date.now();
    const r = runCli(['explain', '-i', file]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `order-containers: ${file}: Excessive alias count indicates a resource exhaustion attack\n`);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  });

  it('explain names the file, line and column of a manifest that does not parse', () => {
    const file = join(tempDir('cli'), 'bad.yaml');
    writeFileSync(file, 'kind: A\n---\na: 1\na: 2\n');
    const r = runCli(['explain', '-i', file]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `order-containers: ${file} (line 4, column 1): duplicated mapping key\n`);
  });

  it('refuses a file over the size limit by its size, before reading it: -i and explain -i exit 2, -f exits 3', () => {
    const dir = tempDir('cli-big');
    const big = join(dir, 'big.yaml');
    // Sparse: 3 GiB that takes no disk. Read whole, it would be past what readFileSync reads at all
    // (ERR_FS_FILE_TOO_LARGE) and take the memory of it.
    writeFileSync(big, '');
    truncateSync(big, 3 * 1024 * 1024 * 1024);
    const over = 'is larger than the limit of 67108864 bytes (64 MiB)';
    for (const args of [
      ['-i', big],
      ['explain', '-i', big],
    ]) {
      const r = runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stderr, `order-containers: ${big} ${over}\n`, args.join(' '));
      assert.equal(r.stdout, '');
    }
    const config = runCli(['-f', big], LIST);
    assert.equal(config.code, 3);
    assert.equal(config.stderr, `order-containers: function config ${big} ${over}\n`);
  });

  it('exits 2 on an unknown flag, a missing input file, and -f with -d', () => {
    for (const args of [['--frobnicate'], ['-i', '/no/such/file.yaml'], ['-f', 'x.yaml', '-d', 'a=b']]) {
      const r = runCli(args, LIST);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
    }
  });

  it('reads and writes JSON with --json', () => {
    const r = runCli(['--json', '-d', 'sidecars=proxy'], JSON.stringify(jsYaml.load(LIST)));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { items: { spec: { template: { spec: { initContainers: { name: string }[] } } } }[] };
    assert.equal(out.items[0]!.spec.template.spec.initContainers[0]!.name, 'proxy');
  });

  it('prints warnings and errors on stderr too under kustomize (LOG_TO_STDERR=true)', () => {
    const r = runCli(['-d', 'sidecars=app'], LIST, { LOG_TO_STDERR: 'true' });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^order-containers: error: Deployment\/web spec\.template\.spec\.containers\[0\]\.readinessProbe: sidecar app must be Ready/,
    );
  });

  it("tells a manifest given to explain as an argument, or to -f (kubectl's habit), where it goes", () => {
    const dir = tempDir('cli-habits');
    const manifest = join(dir, 'cronjob.yaml');
    writeFileSync(manifest, 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: report}\n');
    for (const args of [['explain', manifest]]) {
      const r = runCli(args, LIST);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^order-containers: unexpected argument ".*cronjob\.yaml": use -i FILE.*; -f names the function config \(a ContainerOrder or ConfigMap\)\n$/,
      );
    }
    for (const args of [
      ['-f', manifest],
      ['explain', '-f', manifest],
    ]) {
      const r = runCli(args, LIST);
      assert.equal(r.code, 3, args.join(' '));
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        `order-containers: function config ${manifest} is a CronJob, not a ContainerOrder or ConfigMap: -f names the function config; give the resources with -i FILE\n`,
      );
    }
  });

  it('loads neither the yaml package, io-ts nor jsdiff for a pass-through of a block-style list', function () {
    // module.registerHooks, which this test watches loading with, came in Node.js 22.15 (v23.5.0 and v22.15.0
    // in its docs); the function itself runs on any 22.
    if (typeof (nodeModule as { registerHooks?: unknown }).registerHooks !== 'function')
      skipOrFail(this, `Node.js ${process.version} has no module.registerHooks (22.15 and later have it)`);
    // No functionConfig and no order annotation: js-yaml reads the items and the writer copies them.
    const loaded = packagesLoaded([], LIST);
    assert.ok(loaded.has('js-yaml'), `the check sees the packages loaded: ${[...loaded].join(', ')}`);
    for (const lazy of ['yaml', 'io-ts', 'fp-ts', 'diff']) assert.ok(!loaded.has(lazy), `${lazy} was loaded`);
  });

  it('prints --help, help, explain --help and --version', () => {
    const help = runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /-f, --function-config FILE/);
    assert.equal(runCli(['help']).stdout, help.stdout);
    for (const args of [
      ['explain', '--help'],
      ['explain', '-h'],
      ['help', 'explain'],
    ]) {
      const r = runCli(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /^Usage: order-containers explain /, args.join(' '));
      assert.match(r.stdout, /--format FORMAT +text, mermaid, dot, json/);
    }
    const version = runCli(['--version']);
    assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });
});

/** `kpt fn doc --image IMAGE` prints what the image's ENTRYPOINT prints for `--help`: the function's documentation. */
describe('--help, as kpt fn doc shows it', () => {
  const help = runCli(['--help']).stdout;
  const schema = (name: string): { properties: Record<string, { properties?: Record<string, unknown> }> } =>
    JSON.parse(readFileSync(join(ROOT, 'schema', name), 'utf8')) as {
      properties: Record<string, { properties?: Record<string, unknown> }>;
    };

  it('names every field of the ContainerOrder spec and every key of the ConfigMap form', () => {
    const section = help.slice(help.indexOf('Configuration:'), help.indexOf('Example:'));
    const listed = [...section.matchAll(/^ {2}(\w+) {2,}/gm)].map((m) => m[1]);
    assert.deepEqual(listed, Object.keys(schema('container-order.schema.json').properties.spec!.properties!));
    const keys = Object.keys(schema('configmap.schema.json').properties.data!.properties!);
    assert.match(section.replace(/\s+/g, ' '), new RegExp(`with the keys ${keys.slice(0, -1).join(', ')} and ${keys.at(-1)!},`));
  });

  it('gives an example whose two forms run, and order the same', () => {
    const manifest = join(ROOT, 'examples', 'migrate-then-serve', 'deployment.yaml');
    const [, args] = /--image \S+ -- \\\n\s+(.+)\n/.exec(help)!;
    const defines = [...args!.matchAll(/(\w+)=('[^']*'|\S+)/g)].flatMap((m) => ['-d', `${m[1]}=${m[2]!.replace(/^'|'$/g, '')}`]);
    const file = join(tempDir('help'), 'order.yaml');
    writeFileSync(file, (/^ {2}apiVersion[\s\S]*?\n\n/m.exec(help)![0] ?? '').replace(/^ {2}/gm, ''));
    const fromFile = runCli(['-f', file, manifest]);
    const fromDefines = runCli([...defines, manifest]);
    for (const r of [fromFile, fromDefines]) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Deployment\/orders: start order \(native\): cloud-sql-proxy\(ready\) -> migrate\(completed\) -> api\n/);
    }
    assert.equal(fromFile.stdout, fromDefines.stdout);
  });
});
