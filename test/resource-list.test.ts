import assert from 'node:assert/strict';
import jsYaml from 'js-yaml';
import type { Edit } from '../src/resource-list/edit.js';
import { decodeInput, readResourceList, type ReadOptions, type ResourceList } from '../src/resource-list/read.js';
import { splitBlockResourceList } from '../src/resource-list/split.js';
import { DEFAULT_LIMITS, InputError } from '../src/yaml/load.js';
import { writeResourceList } from './helpers.js';

const HEADER = 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n';

function read(text: string) {
  return readResourceList(text);
}

function edit(text: string, edits: Edit[]): string {
  const list = read(text);
  return writeResourceList(list, new Map([[0, edits]]), []);
}

function inputError(text: string | Buffer, options: ReadOptions = {}): string {
  try {
    const list = readResourceList(typeof text === 'string' ? text : decodeInput(text, options.limits), options);
    // Items are parsed when read, so their errors surface then.
    for (const item of list.items) assert.ok(item.read());
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `message is one line: ${e.message}`);
    return e.message;
  }
  assert.fail('expected an InputError');
}

const DEPLOYMENT = `${HEADER}items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: shop # the shop
    annotations:
      note: "yes"
  spec:
    template:
      spec:
        containers:
        - name: app # main
          image: app:1
          command: ['run', "--flag"]
        # the proxy: keep this comment with it
        - name: proxy
          image: proxy:2
          args:
          - |
            literal
              kept
        volumes: []
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: cfg}
  data:
    enabled: 'on'
`;

describe('splitting a block ResourceList', () => {
  it('finds each item and the top-level keys without parsing items', () => {
    const split = splitBlockResourceList(DEPLOYMENT)!;
    assert.deepEqual(
      split.entries.map((e) => e.key),
      ['apiVersion', 'kind', 'items'],
    );
    assert.equal(split.items.length, 2);
    assert.ok(DEPLOYMENT.slice(split.items[1]!.start).startsWith('- apiVersion: v1\n  kind: ConfigMap'));
    assert.equal(split.items[1]!.line, DEPLOYMENT.split('\n').indexOf('- apiVersion: v1'));
  });

  it('accepts indented item sequences and `- # comment` first lines', () => {
    const text = `${HEADER}items:\n  - # first\n    apiVersion: v1\n    kind: A\n  - apiVersion: v1\n    kind: B\n`;
    const split = splitBlockResourceList(text)!;
    assert.deepEqual(
      split.items.map((i) => i.dashColumn),
      [2, 2],
    );
  });

  for (const [name, text] of [
    ['flow-style list', `{apiVersion: config.kubernetes.io/v1, kind: ResourceList, items: []}`],
    ['flow items', `${HEADER}items: [{a: 1}]\n`],
    ['document markers between documents', `${HEADER}items: []\n---\n${HEADER}items: []\n`],
    ['a quoted top-level key', `${HEADER}"items":\n- a: 1\n`],
    ['tab indentation', `${HEADER}items:\n-\tapiVersion: v1\n`],
  ] as const) {
    it(`leaves ${name} to the full parser`, () => {
      assert.equal(splitBlockResourceList(text), undefined);
    });
  }
});

describe('reading a ResourceList', () => {
  it('reads items, functionConfig and earlier results', () => {
    const list = read(`${HEADER}items:\n- apiVersion: v1\n  kind: A\nfunctionConfig:\n  kind: ConfigMap\nresults:\n- message: earlier\n`);
    assert.equal(list.form, 'block');
    assert.deepEqual(list.items[0]!.read(), { apiVersion: 'v1', kind: 'A' });
    assert.deepEqual(list.functionConfig, { kind: 'ConfigMap' });
    assert.deepEqual(list.results, [{ message: 'earlier' }]);
  });

  it('reads the same data through every path: block, document and JSON', () => {
    const block = read(DEPLOYMENT);
    // A directive is outside the block style the splitter takes, so this goes through the parser.
    const document = read('%YAML 1.2\n---\n' + DEPLOYMENT);
    assert.equal(document.form, 'document');
    const json = read(JSON.stringify(jsYaml.load(DEPLOYMENT)));
    assert.equal(json.form, 'json');
    const values = (list: ResourceList) => list.items.map((i) => i.read());
    assert.deepEqual(values(document), values(block));
    assert.deepEqual(values(json), values(block));
  });

  it('treats YAML 1.1 booleans as the strings they are in YAML 1.2', () => {
    const list = read(`${HEADER}items:\n- apiVersion: v1\n  kind: A\n  x: yes\n  y: on\n`);
    assert.deepEqual(list.items[0]!.read(), { apiVersion: 'v1', kind: 'A', x: 'yes', y: 'on' });
  });

  it('reports malformed YAML in an item with its input line and column', () => {
    const message = inputError(`${HEADER}items:\n- apiVersion: v1\n  kind: A\n  kind: B\n`);
    assert.match(message, /^items\[0\] \(line 6, column 3\): duplicated mapping key$/);
  });

  it('reports malformed YAML elsewhere with its line', () => {
    assert.match(inputError(`${HEADER}items: [\n`), /line \d+, column \d+/);
  });

  it('rejects a bare stream of resources', () => {
    assert.match(inputError('apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\n'), /2 YAML documents; expected one ResourceList/);
  });

  it('rejects a single resource that is not a ResourceList', () => {
    assert.equal(
      inputError('apiVersion: v1\nkind: ConfigMap\n'),
      'input is not a ResourceList: kind is "ConfigMap"; `kpt fn source DIR` makes one of a directory of manifests',
    );
  });

  it('rejects an unknown ResourceList apiVersion', () => {
    assert.match(
      inputError('apiVersion: v2\nkind: ResourceList\nitems: []\n'),
      /apiVersion "v2" is not supported; expected config.kubernetes.io\/v1 or config.kubernetes.io\/v1beta1/,
    );
  });

  it('rejects items that is not a sequence', () => {
    assert.equal(inputError(`${HEADER}items:\n  a: 1\n`), 'ResourceList items must be a sequence');
    assert.equal(inputError(`${HEADER}items:\n`), 'ResourceList items must be a sequence');
    assert.equal(inputError(`${HEADER}`), 'ResourceList has no items field');
  });

  it('rejects an item that is not a mapping, naming it', () => {
    assert.equal(
      inputError(`${HEADER}items:\n- apiVersion: v1\n  kind: A\n- just a string\n`),
      'items[1] (line 6) is not a mapping (found string)',
    );
  });

  it('stops a billion-laughs alias bomb', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill('*' + String.fromCharCode(96 + i))
          .join(',')}]`,
      );
    const bomb = `${HEADER}items:\n- apiVersion: v1\n  kind: Bomb\n${lines.map((l) => '  ' + l).join('\n')}\n`;
    assert.match(inputError(bomb), /^items\[0\]: Excessive alias count/);
  });

  it('rejects input past the size limit before parsing it', () => {
    const message = inputError(Buffer.alloc(2048, 32), { limits: { ...DEFAULT_LIMITS, maxInputBytes: 1024 } });
    assert.equal(message, 'input is larger than the limit of 1024 bytes (0.0009765625 MiB); split it, or order fewer resources per run');
  });

  it('rejects bytes that are not UTF-8, with their position', () => {
    const bytes = Buffer.concat([Buffer.from(`${HEADER}items:\n- name: caf`), Buffer.from([0xe9]), Buffer.from('\n')]);
    assert.equal(inputError(bytes), 'input is not valid UTF-8 (line 4, column 12)');
  });

  it('rejects empty input', () => {
    assert.equal(inputError('  \n'), 'input is empty; expected a ResourceList');
  });

  it('rejects invalid JSON under --json', () => {
    assert.match(inputError('items: []', { json: true }), /^input is not valid JSON/);
  });
});

describe('writing a ResourceList', () => {
  it('writes an unchanged list byte for byte', () => {
    const list = read(DEPLOYMENT);
    assert.equal(writeResourceList(list, new Map(), []), DEPLOYMENT);
  });

  it('keeps CRLF line endings and a byte order mark on untouched text', () => {
    const text = '\ufeff' + DEPLOYMENT.replace(/\n/g, '\r\n');
    assert.equal(writeResourceList(read(text), new Map(), []), text);
  });

  it('appends results in the spec shape, file index 0 included', () => {
    const out = writeResourceList(read(DEPLOYMENT), new Map(), [
      { message: 'done', severity: 'info', resourceRef: { apiVersion: 'v1', kind: 'A', name: 'a' }, file: { path: 'a.yaml', index: 0 } },
    ]);
    assert.ok(out.startsWith(DEPLOYMENT));
    assert.equal(
      out.slice(DEPLOYMENT.length),
      'results:\n- message: done\n  severity: info\n  resourceRef:\n    apiVersion: v1\n    kind: A\n    name: a\n  file:\n    path: a.yaml\n    index: 0\n',
    );
  });

  it('keeps the results of earlier functions and adds its own after them', () => {
    const text = `${HEADER}items: []\nresults:\n- message: earlier\n  severity: warning\nfunctionConfig: {}\n`;
    const out = writeResourceList(read(text), new Map(), [{ message: 'mine', severity: 'info' }]);
    assert.deepEqual((jsYaml.load(out) as { results: unknown }).results, [
      { message: 'earlier', severity: 'warning' },
      { message: 'mine', severity: 'info' },
    ]);
    assert.ok(out.includes('functionConfig: {}'));
  });

  it('adds results to JSON and to flow-style input too', () => {
    const json = writeResourceList(read('{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[]}'), new Map(), [
      { message: 'm', severity: 'info' },
    ]);
    assert.deepEqual((JSON.parse(json) as { results: unknown }).results, [{ message: 'm', severity: 'info' }]);
    const flow = writeResourceList(read('{apiVersion: config.kubernetes.io/v1, kind: ResourceList, items: []}'), new Map(), [
      { message: 'm', severity: 'info' },
    ]);
    assert.deepEqual((jsYaml.load(flow) as { results: unknown }).results, [{ message: 'm', severity: 'info' }]);
  });
});

describe('what YAML 1.1 readers (kustomize, kubectl) read in an edited item (issue 17)', () => {
  // 0400 is 256 to a YAML 1.1 reader and 400 to a 1.2 one: printed from its 1.2 value, a Secret's
  // defaultMode would become 0o620, group-writable. The other forms would only change their text.
  const scalars = 'defaultMode: 0400, mode: -0755, cpu: .5, memory: 1e3, hex: 0x1F, plus: +12, yes: yes, off: Off, nothing: ~';
  const annotate: Edit = { op: 'set', path: ['metadata', 'annotations', 'a'], value: 'b' };
  const item = (form: 'flow' | 'block') =>
    form === 'flow'
      ? `${HEADER}items:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}, spec: {${scalars}}}\n`
      : `${HEADER}items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n  spec: {${scalars}}\n`;

  for (const form of ['flow', 'block'] as const) {
    it(`keeps the text of every scalar it does not edit, in a ${form} item the Document editor edits`, () => {
      const out = edit(item(form), [annotate]);
      assert.ok(out.includes(`{${scalars}}`), out);
      assert.match(out, /a: b/);
    });
  }

  it('writes what an edit sets anew, whatever the text it replaces', () => {
    const out = edit(item('flow'), [{ op: 'set', path: ['spec', 'defaultMode'], value: 292 }]);
    assert.match(out, /defaultMode: 292/);
    assert.ok(out.includes('mode: -0755'), out);
  });
});

describe('editing an item in place', () => {
  const containers = ['spec', 'template', 'spec', 'containers'];
  const inits = ['spec', 'template', 'spec', 'initContainers'];

  it('moves a container with its comment and its block scalar, and leaves every other line alone', () => {
    const out = edit(DEPLOYMENT, [{ op: 'move', from: containers, fromIndex: 1, to: inits, toIndex: 0 }]);
    assert.equal(
      out,
      DEPLOYMENT.replace(
        `        containers:
        - name: app # main
          image: app:1
          command: ['run', "--flag"]
        # the proxy: keep this comment with it
        - name: proxy
          image: proxy:2
          args:
          - |
            literal
              kept
`,
        `        initContainers:
        # the proxy: keep this comment with it
        - name: proxy
          image: proxy:2
          args:
          - |
            literal
              kept
        containers:
        - name: app # main
          image: app:1
          command: ['run', "--flag"]
`,
      ),
    );
  });

  it('creates missing mappings where a person would put them (metadata before spec)', () => {
    const out = edit(DEPLOYMENT, [{ op: 'set', path: ['spec', 'template', 'metadata', 'annotations', 'a'], value: 'true' }]);
    assert.ok(out.includes('    template:\n      metadata:\n        annotations:\n          a: "true"\n      spec:\n'), out);
  });

  it('adds a key to an existing mapping after its last key, quoting YAML 1.1 words', () => {
    const out = edit(DEPLOYMENT, [{ op: 'set', path: ['metadata', 'annotations', 'b'], value: 'on' }]);
    assert.ok(out.includes('      note: "yes"\n      b: "on"\n  spec:\n'), out);
  });

  it('replaces an existing value and keeps the dash of a sequence entry', () => {
    const out = edit(DEPLOYMENT, [{ op: 'set', path: [...containers, 1, 'name'], value: 'sidecar' }]);
    assert.ok(out.includes('        - name: sidecar\n          image: proxy:2\n'), out);
    assert.ok(out.includes('        - name: app # main\n'));
  });

  it('inserts into a sequence and fills an empty flow sequence', () => {
    const out = edit(DEPLOYMENT, [
      { op: 'insert', path: containers, index: 1, value: { name: 'mid', image: 'm' } },
      { op: 'insert', path: ['spec', 'template', 'spec', 'volumes'], index: 0, value: { name: 'v', emptyDir: {} } },
    ]);
    assert.ok(out.includes(`          command: ['run', "--flag"]\n        - name: mid\n          image: m\n        # the proxy`), out);
    assert.ok(out.includes('        volumes:\n        - name: v\n          emptyDir: {}\n'), out);
  });

  it('follows indented sequences when the file uses them', () => {
    const text = `${HEADER}items:\n  - apiVersion: v1\n    kind: Pod\n    spec:\n      containers:\n        - name: a\n        - name: b\n`;
    const out = edit(text, [{ op: 'move', from: ['spec', 'containers'], fromIndex: 1, to: ['spec', 'initContainers'], toIndex: 0 }]);
    assert.equal(
      out,
      `${HEADER}items:\n  - apiVersion: v1\n    kind: Pod\n    spec:\n      initContainers:\n        - name: b\n      containers:\n        - name: a\n`,
    );
  });

  it('falls back to the yaml document for flow-style items and still reads back as planned', () => {
    const text = `${HEADER}items:\n- {apiVersion: v1, kind: Pod, spec: {containers: [{name: a}, {name: b}]}}\n- apiVersion: v1\n  kind: Other\n`;
    const out = edit(text, [{ op: 'move', from: ['spec', 'containers'], fromIndex: 1, to: ['spec', 'initContainers'], toIndex: 0 }]);
    const items = (jsYaml.load(out) as { items: unknown[] }).items;
    assert.deepEqual(items[0], { apiVersion: 'v1', kind: 'Pod', spec: { initContainers: [{ name: 'b' }], containers: [{ name: 'a' }] } });
    assert.ok(out.endsWith('- apiVersion: v1\n  kind: Other\n'), out);
  });

  it('edits JSON input and answers in JSON', () => {
    const text = JSON.stringify(jsYaml.load(DEPLOYMENT));
    const out = edit(text, [{ op: 'set', path: ['metadata', 'labels', 'x'], value: 'y' }]);
    assert.equal((JSON.parse(out) as { items: { metadata: { labels: Record<string, string> } }[] }).items[0]!.metadata.labels.x, 'y');
  });
});
