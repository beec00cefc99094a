import assert from 'node:assert/strict';
import { requireBinary } from './helpers.js';
import { REAL_WORLD_IMAGES } from './bench-kubelet/images-real-world.js';
import { assertHealthy, requireBench, runOn, throughFunction, type Run } from './bench-kubelet/scenario.js';
import { configMapConfig } from './bench-kubelet/manifests.js';
import { INJECTED } from './injected/fixtures.js';
import { config, fileOf, manifestsOf, SOURCES, VERSIONS, type Source } from './real-world/manifests.js';

/**
 * Every real-world manifest of test/real-world/sources.yaml runs on the bench kubelet after the function,
 * with the functionConfig test/real-world.test.ts gives it (the CSI, kube-dns and DNS helpers declared
 * as sidecars that the others wait for as Started, every preset on), for Kubernetes 1.28 (postStart
 * gates and in-list order) and 1.30 (native sidecars): each program finds what it depends on when it
 * starts, nothing restarts, every pod becomes Ready, and on deletion the declared sidecars stop after
 * the other main containers where the mechanism can order the stop.
 *
 * The manifests' images are unknown to the bench's registry: each becomes the generic application
 * (programs/app.ts) at the path its command names, in a distro image, unless images-real-world.ts
 * describes it (images whose probes, hooks or scripts need more of the image's layout). Shell scripts
 * run for real with the host's tools (flannel's install-cni-plugins, cinder's preStop hook).
 *
 * hostNetwork pods (csi-cinder-nodeplugin, kube-flannel-ds, calico-node) run in their own network
 * namespace on the bench, like every other pod: the bench has no node network to share, and the
 * programs that would configure it are the generic app. hostPath volumes are empty folders.
 */

/** The pods of a version whose stop order the mechanism cannot give, and why. */
const STOP_ORDER_UNORDERED: Readonly<Record<string, string>> = {
  '1.28': 'postStart cannot order the stop: kubelet stops main containers together, and the function warns so (README: strategies)',
};

/**
 * Source and version pairs that today's function cannot make healthy, each with the defect (issue 15)
 * that explains it. None today.
 */
const PENDING: Readonly<Record<string, string>> = {};

/** runForMs bounds a pod that never becomes Ready; a healthy pod is deleted 500 ms after it is. */
const RUN = { images: REAL_WORLD_IMAGES, runForMs: 30_000, deleteAfterReadyMs: 500 } as const;

/** Both versions of a source run at once (each runOn runs its pods in parallel, 6 at a time). */
const started = new Map<string, Map<string, Promise<Run>>>();

function runsOf(source: Source): Map<string, Promise<Run>> {
  let runs = started.get(source.name);
  if (runs) return runs;
  const input = manifestsOf(source);
  runs = new Map();
  for (const version of VERSIONS) {
    if (pendingOf(source, version) !== undefined) continue;
    const functionConfig = config(version);
    const run = runOn(throughFunction(input, functionConfig), input, { ...RUN, functionConfig });
    // Its own test awaits it; until then a failure is held, not reported as unhandled.
    run.catch(() => undefined);
    runs.set(version, run);
  }
  started.set(source.name, runs);
  return runs;
}

/** Why the case is pending, unless BENCH_RUN_PENDING=1 runs it to watch it fail for its defect. */
function pendingOf(source: Source, version: string): string | undefined {
  return process.env.BENCH_RUN_PENDING === '1' ? undefined : PENDING[`${source.name} ${version}`];
}

describe('real-world manifests on the bench kubelet (test/real-world/sources.yaml)', function () {
  this.timeout(180_000);

  for (const source of SOURCES) {
    for (const version of VERSIONS) {
      const title = `${source.name}, Kubernetes ${version}: every pod starts in the declared order, becomes Ready and stops in it`;
      const pending = pendingOf(source, version);
      if (pending !== undefined) {
        it.skip(`${title} (pending: ${pending})`);
        continue;
      }
      it(title, async function () {
        requireBench(this);
        requireBinary(this, `${source.package} unpacked by test/real-world/fetch.sh`, [fileOf(source)]);
        const run = await runsOf(source).get(version)!;
        assert.ok(run.reports.length > 0, 'the source has pods');
        assertHealthy(run, { stopOrder: STOP_ORDER_UNORDERED[version] === undefined });
      });
    }
  }
});

/**
 * The pods an injector already ordered (test/injected/), through the function with their preset, on the
 * bench kubelet: below 1.29 the function keeps them as they are, and the injector's own postStart hook
 * (`linkerd-await`, `pilot-agent wait`) holds the app until the proxy is ready; from 1.29 the proxy
 * becomes a native sidecar, its hook kept.
 */
describe('pods an injector already ordered, on the bench kubelet (test/injected/)', function () {
  this.timeout(180_000);

  for (const fixture of INJECTED) {
    for (const version of VERSIONS) {
      it(`${fixture.file}, Kubernetes ${version}: the app starts after the proxy is ready, and the pod becomes Ready`, async function () {
        requireBench(this);
        const functionConfig = configMapConfig({ presets: fixture.preset, kubernetesVersion: version });
        const run = await runOn(throughFunction(fixture.items, functionConfig), fixture.items, { ...RUN, functionConfig });
        assertHealthy(run, { stopOrder: STOP_ORDER_UNORDERED[version] === undefined });
      });
    }
  }
});
