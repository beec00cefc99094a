import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { readResourceList } from '../src/resource-list/read.js';
import { DEFAULT_LIMITS, InputError, loadOne, loadStream, loadValue, mayHoldAliases } from '../src/yaml/load.js';
import { ROOT, aliasBomb } from './helpers.js';

const HEADER = 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n';

function nested(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

function messageOf(load: () => unknown): string {
  try {
    load();
  } catch (e) {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.ok(!e.message.includes('\n'), `message is one line: ${e.message}`);
    return e.message;
  }
  assert.fail('expected an InputError');
}

describe('the YAML front door (src/yaml/)', () => {
  it('is the only way in: no module of src/ outside src/yaml/ imports js-yaml or yaml', () => {
    const src = join(ROOT, 'src');
    // `import`, `from`, and a require (`createRequire(import.meta.url)('yaml')`, as yaml-package.ts loads it).
    const importsYaml = /(?:\bfrom|\bimport|\brequire|\))\s*\(?\s*['"](?:js-yaml|yaml)(?:\/[^'"]*)?['"]/;
    const offenders = readdirSync(src, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => relative(src, join(e.parentPath, e.name)))
      .filter((path) => path.split(sep)[0] !== 'yaml' && importsYaml.test(readFileSync(join(src, path), 'utf8')));
    assert.deepEqual(offenders, []);
  });

  describe('which texts may hold an anchor or alias (the yaml package reads those)', () => {
    // The regular expression the scan replaced: its answer is the contract, for every text.
    const MAYBE_ALIAS = /(?:^|[\s[{,:])[&*][^\s]/m;
    // The characters around which the answer turns: the marks, what may precede them, white space in and
    // out of ASCII (NEL and the zero-width space are no \s), line breaks, a lone surrogate.
    const near = fc.constantFrom(...'&*&*[{,:}]-#"\'a1 \t\n\r\v\f\u0085\u00a0\u1680\u2000\u200b\u2028\u2029\u202f\u3000\ufeff\ud800');

    it('answers as the expression /(?:^|[\\s[{,:])[&*][^\\s]/m does, for any text', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string({ unit: near, maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 40 })), (text) => {
          assert.equal(mayHoldAliases(text), MAYBE_ALIAS.test(text), JSON.stringify(text));
        }),
        { numRuns: 20_000 },
      );
    });

    it('says so of anchors and aliases wherever YAML lets them start, and not of one inside a word or a mark with nothing after it', () => {
      for (const text of ['&a 1', 'a: *b', '- &x\n', '{"a":&x [1],"b":*x}', '[*a]', 'k:\u3000*a']) assert.ok(mayHoldAliases(text), text);
      for (const text of ['a&&b', 'case "$x" in a*) ;;', 'a: b&c', 'x: *', '* ', '&\t']) assert.ok(!mayHoldAliases(text), text);
    });
  });

  describe('nesting depth is one limit on every path', () => {
    // The fast path (js-yaml) and the alias path (the yaml package) give the same answer at the same place.
    const item = (levels: number, alias: boolean) => `a: ${alias ? '&x 1' : '1'}\nb: ${alias ? '*x' : '2'}\nc: ${nested(levels)}\n`;

    for (const alias of [false, true]) {
      it(`${alias ? 'text with aliases' : 'plain text'}: 99 nested sequences under the root mapping pass, 100 do not`, () => {
        assert.ok(loadOne(item(99, alias), 'item', DEFAULT_LIMITS));
        assert.equal(
          messageOf(() => loadOne(item(100, alias), 'item', DEFAULT_LIMITS, 5)),
          'item (line 7, column 103): nesting exceeded maxDepth (100)',
        );
      });
    }

    it('a text deep enough to exhaust the stack is rejected at the limit, at once', () => {
      const started = Date.now();
      assert.equal(
        messageOf(() => loadOne(item(200_000, true), 'item', DEFAULT_LIMITS)),
        'item (line 3, column 103): nesting exceeded maxDepth (100)',
      );
      assert.ok(Date.now() - started < 2000, 'stops at the limit, without reading the rest');
    });

    it('a ResourceList only the full parser reads (flow style) has the limit too', () => {
      const list = `{apiVersion: config.kubernetes.io/v1, kind: ResourceList, items: [{kind: ConfigMap, data: ${nested(200)}}]}`;
      assert.match(
        messageOf(() => readResourceList(list)),
        /^input \(line 1, column \d+\): nesting exceeded maxDepth \(100\)$/,
      );
    });

    it('follows the configured limit', () => {
      const limits = { ...DEFAULT_LIMITS, maxDepth: 3 };
      assert.deepEqual(loadOne('a: [[]]', 'x', limits), { a: [[]] });
      assert.deepEqual(loadOne('a: &y [[]]\nb: *y', 'x', limits), { a: [[]], b: [[]] });
      assert.equal(
        messageOf(() => loadOne('a: [[[]]]', 'x', limits)),
        'x (line 1, column 6): nesting exceeded maxDepth (3)',
      );
      assert.equal(
        messageOf(() => loadOne('a: &y [[[]]]\nb: *y', 'x', limits)),
        'x (line 1, column 9): nesting exceeded maxDepth (3)',
      );
    });
  });

  it('JSON has the depth limit too, counted from its root, strings aside', () => {
    const list = (data: string) => `{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[{"data":${data}}]}`;
    const limits = { ...DEFAULT_LIMITS, maxDepth: 5 };
    // The root, items and the item are 3 levels: data may nest two more, not three.
    assert.equal(readResourceList(list('[[" [[[ \\" {{"]]'), { limits }).form, 'json');
    assert.equal(
      messageOf(() => readResourceList(list('[[[]]]'), { limits })),
      'input (line 1, column 82): nesting exceeded maxDepth (5)',
    );
    assert.equal(
      messageOf(() => readResourceList(`\n${list('\n[[[]]]')}`, { json: true, limits })),
      'input (line 3, column 3): nesting exceeded maxDepth (5)',
    );
  });

  it('counts the aliases wherever YAML allows one, right after the `:` of a flow mapping too', () => {
    const bomb = (colon: string) => {
      const levels = [`"a0"${colon}&a0 {"x": "lol", "y": "lol"}`];
      for (let i = 1; i < 10; i++)
        levels.push(
          `"a${i}"${colon}&a${i} {${['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((k) => `"${k}"${colon}*a${i - 1}`).join(', ')}}`,
        );
      return `{${levels.join(', ')}}`;
    };
    for (const text of [bomb(':'), bomb(': '), `data: ${bomb(':')}`, `data:\n  ${bomb(':')}`]) {
      assert.equal(
        messageOf(() => loadOne(text, 'item', DEFAULT_LIMITS)),
        'item: Excessive alias count indicates a resource exhaustion attack',
      );
      assert.equal(
        messageOf(() => loadStream(text, 'f.yaml', DEFAULT_LIMITS)),
        'f.yaml: Excessive alias count indicates a resource exhaustion attack',
      );
    }
    assert.deepEqual(loadOne('{"a":&x [1],"b":*x}', 'item', DEFAULT_LIMITS), { a: [1], b: [1] });
  });

  it('counts the documents of a text before building them, on every path', () => {
    const limits = { ...DEFAULT_LIMITS, maxDocuments: 2 };
    assert.deepEqual(loadStream('a: 1\n---\nb: 2\n', 'f.yaml', limits), [{ a: 1 }, { b: 2 }]);
    // Four markers, but two documents: the marker count only sends the text to the exact count.
    assert.deepEqual(loadStream('--- a\n...\n--- b\n...\n', 'f.yaml', limits), ['a', 'b']);
    const three = 'a: 1\n---\nb: 2\n---\nc: &x 3\n';
    for (const text of [three, three.replace('&x ', '')]) {
      assert.equal(
        messageOf(() => loadStream(text, 'f.yaml', limits)),
        'f.yaml (line 4, column 1): document count exceeded maxDocuments (2)',
      );
      assert.equal(
        messageOf(() => loadOne(text, 'function config c.yaml', limits, 3)),
        'function config c.yaml (line 6, column 1): document count exceeded maxDocuments (2)',
      );
    }
    assert.equal(
      messageOf(() => readResourceList(`${HEADER}items: []\n---\n---\n`, { limits })),
      'input (line 5, column 1): document count exceeded maxDocuments (2)',
    );
  });

  it('reads numbers as go-yaml does (kubectl, the API server, kustomize), on every path', () => {
    // What goyaml.v2/resolve.go and goyaml.v3/resolve.go (kubernetes-sigs/yaml) give: `_` dropped, then
    // Go's ParseInt(s, 0, 64), then yamlStyleFloat. A YAML 1.2 reader says 5432, 755 and strings for the rest.
    const go: [string, unknown][] = [
      ['05432', 2842],
      ['08080', 8080],
      ['-0755', -493],
      ['0_755', 493],
      ['010', 8],
      ['0', 0],
      ['-0', 0],
      ['0o17', 15],
      ['0O17', 15],
      ['0X1F', 31],
      ['+0x1F', 31],
      ['-0b101', -5],
      ['1_000', 1000],
      ['-_1', -1],
      ['8080.0', 8080],
      ['09.5', 9.5],
      ['1e3', 1000],
      ['+8080', 8080],
      ['.5', 0.5],
      ['_1', '_1'],
      ['0x', '0x'],
      ['0o8', '0o8'],
      ['1.2.3', '1.2.3'],
      ['"05432"', '05432'],
    ];
    for (const [text, value] of go) {
      assert.deepEqual(loadOne(`a: ${text}`, 'x', DEFAULT_LIMITS), { a: value }, `js-yaml: ${text}`);
      assert.deepEqual(loadOne(`b: &y 1\na: ${text}\nc: *y`, 'x', DEFAULT_LIMITS), { a: value, b: 1, c: 1 }, `yaml: ${text}`);
      assert.deepEqual(loadStream(`a: ${text}\n---\nb: 1\n`, 'x', DEFAULT_LIMITS)[0], { a: value }, `stream: ${text}`);
      assert.deepEqual(loadValue(`a: ${text}`, DEFAULT_LIMITS), { a: value }, `value: ${text}`);
    }
  });

  it('names the text and its size when it is over the byte limit', () => {
    const limits = { ...DEFAULT_LIMITS, maxInputBytes: 16 };
    assert.equal(
      messageOf(() => loadOne('a: "ééééééééé"', 'function config f.yaml', limits)),
      'function config f.yaml is larger than the limit of 16 bytes (0.0000152587890625 MiB)',
    );
    assert.deepEqual(loadOne('a: "éé"', 'x', limits), { a: 'éé' });
  });

  it('reads every document of a stream, with the alias limit on each (explain has no other reader)', () => {
    assert.deepEqual(loadStream('a: 1\n---\nb: 2\n', 'f.yaml', DEFAULT_LIMITS), [{ a: 1 }, { b: 2 }]);
    assert.deepEqual(loadStream('a: 1\n---\nb: &x 2\nc: *x\n', 'f.yaml', DEFAULT_LIMITS), [{ a: 1 }, { b: 2, c: 2 }]);
    assert.equal(
      messageOf(() => loadStream('a: &x 1\n---\nb: [\n', 'f.yaml', DEFAULT_LIMITS)),
      'f.yaml (line 4, column 1): Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
    assert.equal(
      messageOf(() => loadStream(`kind: A\n---\n${aliasBomb()}\n`, 'f.yaml', DEFAULT_LIMITS)),
      'f.yaml: Excessive alias count indicates a resource exhaustion attack',
    );
  });

  it('reads items of a ResourceList with the limits of the list', () => {
    const text = `${HEADER}items:\n- a: ${nested(3)}\n`;
    const list = readResourceList(text, { limits: { ...DEFAULT_LIMITS, maxDepth: 3 } });
    assert.equal(
      messageOf(() => list.items[0]!.read()),
      'items[0] (line 4, column 8): nesting exceeded maxDepth (3)',
    );
  });
});
