import assert from 'node:assert/strict';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { runFunction } from '../src/function.js';
import { readResourceList } from '../src/resource-list/read.js';
import { podTemplatePathOf } from '../src/workloads/kinds.js';
import { valueAt } from '../src/resource-list/edit.js';
import { violationsIn } from './api-rules.js';
import { requireBinary } from './helpers.js';
import { brokenEdges } from './order-oracle.js';
import { config, manifestsOf, SIDECARS, SOURCES, UNPACKED, VERSIONS } from './real-world/manifests.js';

function run(items: readonly Record<string, unknown>[], version: string) {
  const list = readResourceList(
    jsYaml.dump({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items, functionConfig: config(version) }),
  );
  const r = runFunction(list);
  return { ...r, items: (jsYaml.load(r.chunks.join('')) as { items: Record<string, unknown>[] }).items };
}

function podSpecOf(item: Record<string, unknown>): { containers: { name: string }[]; initContainers?: { name: string }[] } | undefined {
  const path = podTemplatePathOf(item.apiVersion, item.kind, []);
  return path === undefined ? undefined : (valueAt(item, path) as { spec?: ReturnType<typeof podSpecOf> } | undefined)?.spec;
}

describe('real-world manifests (test/real-world/sources.yaml)', () => {
  for (const source of SOURCES) {
    for (const version of VERSIONS) {
      it(`${source.name} (${source.package}, ${source.license.split(' ')[0]}), Kubernetes ${version}: nothing lost, valid output, declared order realised, idempotent`, function () {
        requireBinary(this, `${source.package} unpacked by test/real-world/fetch.sh`, [join(UNPACKED, source.file)]);
        const input = manifestsOf(source);
        assert.ok(
          input.some((i) => podSpecOf(i) !== undefined),
          'the source has workloads',
        );
        const first = run(input, version);
        assert.equal(first.exitCode, 0, JSON.stringify(first.results.filter((r) => r.severity === 'error')));
        assert.deepEqual(
          first.items.map((i) => `${String(i.kind)}/${(i.metadata as { name?: string }).name}`),
          input.map((i) => `${String(i.kind)}/${(i.metadata as { name?: string }).name}`),
          'every item, once, in input order',
        );
        first.items.forEach((item, i) => {
          if (podSpecOf(input[i]!) === undefined)
            assert.deepEqual(item, input[i], `${String(item.kind)} is not a workload and comes back as it was`);
        });
        assert.deepEqual(violationsIn(first.items), []);
        for (const item of first.items) {
          const spec = podSpecOf(item);
          if (!spec) continue;
          const names = new Set([...(spec.initContainers ?? []), ...spec.containers].map((c) => c.name));
          const declared = SIDECARS.filter((s) => names.has(s));
          const edges = declared.flatMap((s) =>
            spec.containers.filter((c) => !SIDECARS.includes(c.name)).map((c) => ({ from: s, to: c.name, condition: 'Started' as const })),
          );
          assert.deepEqual(
            brokenEdges(spec as Parameters<typeof brokenEdges>[0], edges),
            [],
            `${String(item.kind)}/${(item.metadata as { name: string }).name}`,
          );
        }
        const second = run(first.items, version);
        assert.equal(second.exitCode, 0);
        assert.deepEqual(second.items, first.items, 'a second run changes nothing');
      });
    }
  }
});
