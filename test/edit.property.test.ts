import assert from 'node:assert/strict';
import fc from 'fast-check';
import jsYaml from 'js-yaml';
import { applyEditsToObject, valueAt, type Edit } from '../src/resource-list/edit.js';
import { BlockText } from '../src/resource-list/block-text.js';
import { standaloneItemText } from '../src/resource-list/split.js';
import { readResourceList, type ResourceList } from '../src/resource-list/read.js';
import { helperContainer } from '../src/protocol/helper-container.js';
import { DEFAULT_LIMITS, loadOne } from '../src/yaml/load.js';
import type { SequenceStyle } from '../src/yaml/render.js';
import { resourceList, type GeneratedList } from './generators.js';
import { writeResourceList } from './helpers.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const SPEC = ['spec', 'template', 'spec'];

function commentsOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('#'));
}

/** A generated item's pod containers, where it has a pod template. */
function containersOf(item: Record<string, unknown>): unknown[] | undefined {
  const containers = valueAt(item, [...SPEC, 'containers']);
  return Array.isArray(containers) ? containers : undefined;
}

/**
 * The list written with `edits`: every item there, untouched ones byte-identical and in order, edited
 * ones reading as their planned value, and every comment of the input kept.
 */
function assertWrittenAsPlanned(generated: GeneratedList, list: ResourceList, edits: ReadonlyMap<number, Edit[]>): void {
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
}

describe('editing workloads (property)', () => {
  it('changes only the edited items, which read back as planned and keep their comments', () => {
    fc.assert(
      fc.property(resourceList, fc.nat(), fc.stringMatching(/^[ -~]{0,12}$/), (generated, pick, annotation) => {
        const list = readResourceList(generated.text);
        const edits = new Map<number, Edit[]>();
        list.items.forEach((item, index) => {
          const containers = containersOf(item.read());
          if (!containers) return;
          edits.set(index, [
            { op: 'move', from: [...SPEC, 'containers'], fromIndex: pick % containers.length, to: [...SPEC, 'initContainers'], toIndex: 0 },
            { op: 'set', path: [...SPEC, 'initContainers', 0, 'restartPolicy'], value: 'Always' },
            { op: 'set', path: ['spec', 'template', 'metadata', 'annotations', 'example.com/note'], value: annotation },
          ]);
        });
        assertWrittenAsPlanned(generated, list, edits);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('entries shared by every pod (property)', () => {
  // The helper container is frozen and shared, and the writer reads its lines back once per run, not in
  // each item (read-back.ts): wherever the editor puts it, the output must still read as planned.
  it('inserts the shared helper anywhere and every item reads back as planned', () => {
    const helper = helperContainer('busybox', ['wait', 'run']);
    fc.assert(
      fc.property(resourceList, fc.nat(), fc.nat(), (generated, pick, place) => {
        const list = readResourceList(generated.text);
        const edits = new Map<number, Edit[]>();
        list.items.forEach((item, index) => {
          const containers = containersOf(item.read());
          if (!containers) return;
          edits.set(index, [
            { op: 'insert', path: [...SPEC, 'initContainers'], index: 0, value: helper, before: ['containers'] },
            { op: 'insert', path: [...SPEC, 'containers'], index: place % (containers.length + 1), value: helper },
            { op: 'move', from: [...SPEC, 'containers'], fromIndex: pick % containers.length, to: [...SPEC, 'initContainers'], toIndex: 1 },
          ]);
        });
        assertWrittenAsPlanned(generated, list, edits);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the in-place editor (property)', () => {
  it('edits every generated block-style item itself, without falling back to a full rewrite', () => {
    fc.assert(
      fc.property(resourceList, (generated) => {
        const list = readResourceList(generated.text);
        if (list.form !== 'block') return;
        list.items.forEach((item, index) => {
          const containers = containersOf(item.read());
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

/**
 * A Deployment of `n` containers, each with a comment, a probe and a volume mount: long enough that the
 * editor keeps outlines across splices. Compact (`- ` under its key, as kpt writes) or with every
 * sequence indented under its key (as kubectl and Helm charts write).
 */
function longPod(n: number, style: SequenceStyle): string {
  const d = style.compact ? '' : '  ';
  const containers = Array.from(
    { length: n },
    (_, i) => `      ${d}# container ${i}
      ${d}- name: c${i}
        ${d}image: ghcr.io/shop/c${i}:1
        ${d}command: [/c${i}]
        ${d}readinessProbe:
          ${d}httpGet: {path: /ready, port: ${8000 + i}}
        ${d}volumeMounts:
        ${d}${d}- name: data
          ${d}${d}mountPath: /data/${i}
`,
  );
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: long
spec:
  template:
    metadata:
      labels:
        app: long
    spec:
      initContainers:
      ${d}- name: setup
        ${d}image: busybox
      containers:
${containers.join('')}      volumes:
      ${d}- name: data
        ${d}emptyDir: {}
`;
}

interface PodShape {
  spec: { template: { spec: { initContainers: { volumeMounts?: unknown[] }[]; containers: { volumeMounts?: unknown[] }[] } } };
}

/** An edit the pod can take as it is now, from three numbers: what the mechanisms do to containers, anywhere in the list. */
function editOn(pod: PodShape, kind: number, a: number, b: number): Edit {
  const { initContainers: inits, containers: mains } = pod.spec.template.spec;
  const list = a % 2 === 0 && mains.length > 1 ? 'containers' : 'initContainers';
  const entries = list === 'containers' ? mains : inits;
  const at = a % entries.length;
  const path = [...SPEC, list, at];
  switch (kind % 6) {
    case 0:
      return mains.length > 1
        ? {
            op: 'move',
            from: [...SPEC, 'containers'],
            fromIndex: a % mains.length,
            to: [...SPEC, 'initContainers'],
            toIndex: b % (inits.length + 1),
          }
        : { op: 'set', path: [...path, 'restartPolicy'], value: 'Always' };
    case 1:
      return { op: 'set', path: [...path, 'startupProbe'], value: { httpGet: { path: '/ready', port: b }, failureThreshold: 2 } };
    case 2:
      return {
        op: 'insert',
        path: [...path, 'volumeMounts'],
        index: (entries[at]!.volumeMounts ?? []).length,
        value: { name: 'run', mountPath: `/run/${b}` },
      };
    case 3:
      return { op: 'set', path: [...path, 'command'], value: ['/wrapper', '--after', `c${b}`] };
    case 4:
      return { op: 'set', path: ['spec', 'template', 'metadata', 'annotations', 'example.com/step'], value: `step ${b}` };
    default:
      return list === 'containers' && mains.length > 1
        ? { op: 'move', from: [...SPEC, 'containers'], fromIndex: at, to: [...SPEC, 'containers'], toIndex: b % mains.length }
        : { op: 'set', path: [...path, 'restartPolicy'], value: 'Always' };
  }
}

describe('the in-place editor across many edits (property)', () => {
  // The editor keeps what it read of the item's outline from one edit to the next (issue 17): the text
  // after a run of edits must be the text of the same edits made one at a time, each by a fresh editor.
  for (const style of [{ compact: true }, { compact: false }]) {
    it(`edits a long pod as a fresh editor per edit would (${style.compact ? 'compact' : 'indented'} sequences)`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 8, max: 24 }),
          fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 40 }),
          (n, steps) => {
            const text = longPod(n, style);
            const original = loadOne(text, 'item', DEFAULT_LIMITS) as PodShape;
            const state = structuredClone(original);
            const edits = steps.map(([kind, a, b]) => {
              const edit = editOn(state, kind, a, b);
              applyEditsToObject(state, [edit]);
              return edit;
            });
            const together = BlockText.edit(text, original, edits, style);
            let oneByOne = { text, value: original as unknown };
            for (const edit of edits) oneByOne = BlockText.edit(oneByOne.text, oneByOne.value, [edit], style);
            assert.equal(together.text, oneByOne.text);
            assert.deepEqual(loadOne(together.text, 'item', DEFAULT_LIMITS), state);
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});
