import assert from 'node:assert/strict';
import fc from 'fast-check';
import jsYaml from 'js-yaml';
import { applyEditsToObject, type Edit } from '../src/resource-list/edit.js';
import { BlockText } from '../src/resource-list/block-text.js';
import { standaloneItemText } from '../src/resource-list/split.js';
import { readResourceList } from '../src/resource-list/read.js';
import { DEFAULT_LIMITS, loadOne } from '../src/yaml/load.js';
import { resourceList } from './generators.js';
import { writeResourceList } from './helpers.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const SPEC = ['spec', 'template', 'spec'];

function commentsOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('#'));
}

describe('editing workloads (property)', () => {
  it('changes only the edited items, which read back as planned and keep their comments', () => {
    fc.assert(
      fc.property(resourceList, fc.nat(), fc.stringMatching(/^[ -~]{0,12}$/), (generated, pick, annotation) => {
        const list = readResourceList(Buffer.from(generated.text));
        const edits = new Map<number, Edit[]>();
        list.items.forEach((item, index) => {
          const containers = (item.read().spec as { template?: { spec?: { containers?: unknown[] } } } | undefined)?.template?.spec
            ?.containers;
          if (!containers) return;
          edits.set(index, [
            { op: 'move', from: [...SPEC, 'containers'], fromIndex: pick % containers.length, to: [...SPEC, 'initContainers'], toIndex: 0 },
            { op: 'set', path: [...SPEC, 'initContainers', 0, 'restartPolicy'], value: 'Always' },
            { op: 'set', path: ['spec', 'template', 'metadata', 'annotations', 'example.com/note'], value: annotation },
          ]);
        });
        const out = writeResourceList(list, edits, []);
        const items = (jsYaml.load(out) as { items: Record<string, unknown>[] }).items;
        assert.equal(items.length, list.items.length);
        let from = 0;
        list.items.forEach((item, index) => {
          const itemEdits = edits.get(index);
          if (!itemEdits) {
            const at = out.indexOf(generated.itemTexts[index]!, from);
            assert.ok(at >= from, `untouched item ${index} is byte-identical and in order`);
            from = at + generated.itemTexts[index]!.length;
            return;
          }
          const expected = structuredClone(item.read());
          applyEditsToObject(expected, itemEdits);
          assert.deepEqual(items[index], expected);
        });
        for (const comment of commentsOf(generated.text)) assert.ok(out.includes(comment), `comment kept: ${comment}`);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the in-place editor (property)', () => {
  it('edits every generated block-style item itself, without falling back to a full rewrite', () => {
    fc.assert(
      fc.property(resourceList, (generated) => {
        const list = readResourceList(Buffer.from(generated.text));
        if (list.form !== 'block') return;
        list.items.forEach((item, index) => {
          const containers = (item.read().spec as { template?: { spec?: { containers?: unknown[] } } } | undefined)?.template?.spec
            ?.containers;
          if (!containers) return;
          const edits: Edit[] = [
            { op: 'move', from: [...SPEC, 'containers'], fromIndex: containers.length - 1, to: [...SPEC, 'initContainers'], toIndex: 0 },
            { op: 'set', path: [...SPEC, 'initContainers', 0, 'restartPolicy'], value: 'Always' },
          ];
          const edited = BlockText.edit(standaloneItemText(list.text, list.split.items[index]!), item.read(), edits, list.style);
          const expected = structuredClone(item.read());
          applyEditsToObject(expected, edits);
          assert.deepEqual(loadOne(edited.text, 'item', DEFAULT_LIMITS), expected);
        });
      }),
      { numRuns: RUNS },
    );
  });
});
