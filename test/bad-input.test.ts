import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { CLI, ROOT } from './helpers.js';

interface Case {
  readonly file: string;
  readonly args?: readonly string[];
  readonly exit: 0 | 1 | 2 | 3;
  readonly stderr?: string;
  readonly message?: string;
}

const DIR = join(ROOT, 'test', 'bad-input');
const CASES = jsYaml.load(readFileSync(join(DIR, 'cases.yaml'), 'utf8')) as Case[];
/**
 * The output is read whole, from the list's root, where an item the function read at its depth limit
 * (counted from the item's root) is two levels deeper: past js-yaml's default limit, which is the
 * function's. js-yaml reads maxDepth since 4.3; @types/js-yaml does not know it yet.
 */
const WHOLE_OUTPUT: jsYaml.LoadOptions & { readonly maxDepth: number } = { maxDepth: 200 };
/** Far above any case's real time; a case that reaches it hangs. */
const LIMIT_MS = 30_000;

function run(input: Buffer, args: readonly string[] = []): { code: number | null; stdout: string; stderr: string; timedOut: boolean } {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', timeout: LIMIT_MS, maxBuffer: 256 * 1024 * 1024 });
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT',
  };
}

function assertNoCrash(r: ReturnType<typeof run>): void {
  assert.ok(!r.timedOut, `still running after ${LIMIT_MS} ms`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('the bad-input corpus (test/bad-input/cases.yaml)', function () {
  this.timeout(LIMIT_MS * 2);

  for (const c of CASES) {
    const command = c.args ? ` (${c.args.join(' ')})` : '';
    it(`${c.file}${command}: exits ${c.exit} with ${c.stderr !== undefined ? 'one line on stderr' : c.message !== undefined ? 'its result' : 'nothing on stderr'}`, () => {
      const input = readFileSync(join(DIR, c.file));
      const r = run(input, c.args);
      assertNoCrash(r);
      assert.equal(r.code, c.exit, r.stderr);
      if (c.stderr !== undefined) {
        assert.equal(r.stderr, `${c.stderr}\n`);
        assert.equal(r.stdout, '', 'nothing half-written');
        return;
      }
      if (c.message === undefined) {
        // A case another command reads (explain) without a word: what it writes is not a ResourceList.
        assert.equal(r.stderr, '');
        return;
      }
      const results = (jsYaml.load(r.stdout, WHOLE_OUTPUT) as { results: { message: string }[] }).results;
      assert.ok(
        results.some((x) => x.message === c.message),
        JSON.stringify(results.map((x) => x.message)),
      );
      if (c.exit !== 0) assert.ok(r.stdout.startsWith(input.toString('utf8')), 'the input comes back unchanged, results after it');
    });
  }

  // 28 MB, generated: it once ran 83 s to 4.4 GB before V8 aborted. The count stops it before the documents are built.
  for (const args of [[], ['explain']]) {
    it(`7,000,000 empty documents${args.length ? ` (${args.join(' ')})` : ''}: exits 2 with the document limit`, () => {
      const r = run(Buffer.from('---\n'.repeat(7_000_000)), args);
      assertNoCrash(r);
      assert.equal(r.code, 2);
      const what = args.length ? 'stdin' : 'input';
      assert.equal(r.stderr, `order-containers: ${what} (line 100001, column 1): document count exceeded maxDocuments (100000)\n`);
      assert.equal(r.stdout, '', 'nothing half-written');
    });
  }

  it('a 100 MB input: exits 2 with the limit, without reading it all', () => {
    const item = `- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n  data: {k: "${'x'.repeat(200)}"}\n`;
    const input = Buffer.from(
      'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n' + item.repeat(Math.ceil((100 * 1024 * 1024) / item.length)),
    );
    const r = run(input);
    assertNoCrash(r);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'order-containers: input is larger than the limit of 67108864 bytes (64 MiB); split it, or order fewer resources per run\n',
    );
  });
});
