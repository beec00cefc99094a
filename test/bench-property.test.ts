import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import fc from 'fast-check';
import { benchDir, cleanUp, podsOf, runPods, type BenchPod } from './bench-kubelet/bench.js';
import { orderConfigOf } from './bench-kubelet/declared.js';
import type { ImageSpec } from './bench-kubelet/image-spec.js';
import { assertHealthy, requireBench, runOf } from './bench-kubelet/scenario.js';
import { render } from './bench-kubelet/manifests.js';

/**
 * Generated pods, run as pods: a sample of workloads with sidecars and rules, under each mechanism, on
 * the bench kubelet. Each must start in the declared order, restart nothing, and become Ready (a Job's
 * pod Succeed). BENCH_PROPERTY_RUNS cases: 50 in CI (.ci/run), 20 by default.
 */
type Item = Record<string, unknown>;

const RUNS = Number(process.env.BENCH_PROPERTY_RUNS ?? 20);

const IMAGES: readonly ImageSpec[] = [
  {
    pattern: 'bench.prop/*',
    base: 'distroless',
    files: { '/entrypoint': { program: 'app', config: { readyAfterMs: 300, workMs: 800 } } },
    entrypoint: ['/entrypoint'],
    source: 'generated',
  },
];

const name = fc.constantFrom('api', 'proxy', 'agent', 'cache', 'worker', 'shipper');

const container = fc.record({ name, probe: fc.constantFrom('none', 'tcp', 'http', 'exec') });

const generated = fc.record({
  kind: fc.constantFrom('Deployment', 'Job'),
  containers: fc.uniqueArray(container, { minLength: 1, maxLength: 4, selector: (c) => c.name }),
  sidecarPicks: fc.array(fc.nat(), { maxLength: 2 }),
  waitFor: fc.constantFrom('Started', 'Ready'),
  rule: fc.option(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('Started', 'Ready', 'Completed')), { nil: undefined }),
  mechanism: fc.constantFrom(
    { kubernetesVersion: '1.30' },
    { kubernetesVersion: '1.27' },
    { kubernetesVersion: '1.30', strategy: 'entrypoint' },
  ),
});

type Case = typeof generated extends fc.Arbitrary<infer T> ? T : never;

function probeOf(kind: string, i: number): Record<string, unknown> {
  if (kind === 'tcp') return { readinessProbe: { tcpSocket: { port: 7000 + i }, periodSeconds: 1 }, ports: [{ containerPort: 7000 + i }] };
  if (kind === 'http')
    return { readinessProbe: { httpGet: { port: 7000 + i, path: '/' }, periodSeconds: 1 }, ports: [{ containerPort: 7000 + i }] };
  if (kind === 'exec') return { readinessProbe: { exec: { command: ['/entrypoint'] }, periodSeconds: 1 } };
  return {};
}

/** The case as a workload and the config that orders it; undefined for the cases left out (see above). */
function manifest(c: Case, n: number): { items: Item[]; config: Item } | undefined {
  const names = c.containers.map((x) => x.name);
  const pick = (k: number): string => names[k % names.length]!;
  const rule =
    c.rule && pick(c.rule[0]) !== pick(c.rule[1])
      ? { container: pick(c.rule[1]), after: [{ container: pick(c.rule[0]), condition: c.rule[2] }] }
      : undefined;
  // In a Job, what others wait to be Started or Ready is a sidecar: a step that finishes may do so
  // before anyone saw it ready, and then nothing can wait for it.
  const awaited = c.kind === 'Job' && rule && rule.after[0]!.condition !== 'Completed' ? [rule.after[0]!.container] : [];
  const sidecars = [...new Set([...c.sidecarPicks.map(pick), ...awaited])];
  // A sidecar never completes, and a step that completes cannot keep probes in a Deployment (it becomes an
  // init container, or a wrapper keeps it up without its program): the function refuses both.
  const completedStep = rule?.after[0]!.condition === 'Completed' ? rule.after[0]!.container : undefined;
  const probed = (n: string): boolean => c.containers.find((x) => x.name === n)!.probe !== 'none';
  if (completedStep !== undefined && (sidecars.includes(completedStep) || (c.kind === 'Deployment' && probed(completedStep))))
    return undefined;
  const spec = {
    ...(c.kind === 'Job' ? { restartPolicy: 'Never' } : {}),
    terminationGracePeriodSeconds: 5,
    containers: c.containers.map((x, i) => ({
      name: x.name,
      image: `bench.prop/${x.name}:1`,
      command: ['/entrypoint'],
      ...probeOf(x.probe, i),
    })),
  };
  const workload = {
    apiVersion: c.kind === 'Job' ? 'batch/v1' : 'apps/v1',
    kind: c.kind,
    metadata: { name: `case-${n}`, namespace: 'prop' },
    spec: { template: { spec } },
  };
  const config = {
    apiVersion: 'order-containers.dev/v1alpha1',
    kind: 'ContainerOrder',
    metadata: { name: `case-${n}` },
    spec: {
      ...c.mechanism,
      timeoutSeconds: 30,
      selector: { names: [`case-${n}`] },
      sidecars: sidecars.map((s) => ({ name: s, waitFor: c.waitFor })),
      ...(rule ? { rules: [rule] } : {}),
    },
  };
  return { items: [workload], config };
}

describe('generated pods on the bench kubelet (property)', function () {
  this.timeout(600_000);

  it(`${RUNS} generated workloads start in the declared order under every mechanism`, async function () {
    requireBench(this);
    const cases = fc.sample(generated, { numRuns: RUNS * 3, seed: 1327 });
    const dir = benchDir();
    try {
      const pods: BenchPod[] = [];
      for (const [n, c] of cases.entries()) {
        if (pods.length >= RUNS) break;
        const m = manifest(c, n);
        if (!m) continue;
        const r = render(m.items, m.config);
        // A refusal (a sidecar to wait Ready for that has no probe, say) is the function's answer: nothing to run.
        if (r.status !== 0) continue;
        const output = r.items;
        mkdirSync(`${dir}/case-${n}`);
        pods.push(
          ...podsOf(output, m.items, `${dir}/case-${n}`, {
            config: orderConfigOf(m.config as Parameters<typeof orderConfigOf>[0]),
            images: IMAGES,
            runForMs: 60_000,
            deleteAfterReadyMs: 300,
          }),
        );
      }
      assert.ok(pods.length >= RUNS, `${pods.length} runnable cases of ${RUNS}`);
      const reports = await runPods(pods);
      assertHealthy(runOf(pods, reports), { stopOrder: false });
    } finally {
      cleanUp(dir);
    }
  });
});
