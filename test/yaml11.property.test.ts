import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'yaml';
import { applyEditsToObject, type Edit } from '../src/resource-list/edit.js';
import { readResourceList } from '../src/resource-list/read.js';
import { yaml11List } from './generators.js';
import { writeResourceList } from './helpers.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const SPEC = ['spec', 'template', 'spec'];

/** What kubectl and kustomize see: go-yaml reads YAML 1.1, merges resolved; the yaml package's 1.1 schema does the same. */
function itemsAsKubectl(text: string): Record<string, unknown>[] {
  return (parse(text, { version: '1.1', merge: true, uniqueKeys: false }) as { items: Record<string, unknown>[] }).items;
}

const EDITS: readonly Edit[] = [
  { op: 'move', from: [...SPEC, 'containers'], fromIndex: 1, to: [...SPEC, 'initContainers'], toIndex: 0 },
  { op: 'set', path: [...SPEC, 'initContainers', 0, 'restartPolicy'], value: 'Always' },
  { op: 'set', path: ['spec', 'template', 'metadata', 'annotations', 'example.com/note'], value: 'yes' },
];

describe('meaning for YAML 1.1 readers (property, issue 17)', () => {
  it('an output read as kubectl reads it is the input read so, plus exactly the edits', () => {
    fc.assert(
      fc.property(yaml11List, fc.boolean(), (generated, edit) => {
        const list = readResourceList(generated.text);
        const edits = new Map<number, readonly Edit[]>(edit ? generated.deployments.map((i) => [i, EDITS]) : []);
        const out = writeResourceList(list, edits, []);
        const expected = itemsAsKubectl(generated.text);
        for (const [index, itemEdits] of edits) applyEditsToObject(expected[index], itemEdits);
        assert.deepEqual(itemsAsKubectl(out), expected, out);
      }),
      { numRuns: RUNS },
    );
  });
});
