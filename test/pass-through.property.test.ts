import assert from 'node:assert/strict';
import fc from 'fast-check';
import jsYaml from 'js-yaml';
import { runFunction } from '../src/function.js';
import { readResourceList } from '../src/resource-list/read.js';
import { resourceList } from './generators.js';
import { writeResourceList } from './helpers.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

describe('pass-through (property)', () => {
  it('writes every item back byte for byte, none lost or reordered, when nothing is asked', () => {
    fc.assert(
      fc.property(resourceList, (generated) => {
        const list = readResourceList(generated.text);
        assert.equal(list.items.length, generated.itemTexts.length);
        assert.deepEqual(
          list.items.map((i) => i.read().kind),
          generated.kinds,
        );
        const out = writeResourceList(list, new Map(), []);
        assert.equal(out, generated.text);
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps every item text in order when the function runs with nothing to do, and only appends results', () => {
    fc.assert(
      fc.property(resourceList, (generated) => {
        const run = runFunction(readResourceList(generated.text));
        const output = run.chunks.join('');
        assert.equal(run.exitCode, 0);
        assert.ok(output.startsWith(generated.text), 'the input comes out unchanged, results after it');
        let from = 0;
        for (const text of generated.itemTexts) {
          const at = output.indexOf(text, from);
          assert.ok(at >= from, `item text found in order:\n${text}`);
          from = at + text.length;
        }
        const parsed = jsYaml.load(output) as { items: unknown[]; results: unknown[] };
        assert.equal(parsed.items.length, generated.itemTexts.length);
        assert.equal(parsed.results.length, 1);
      }),
      { numRuns: RUNS },
    );
  });
});
