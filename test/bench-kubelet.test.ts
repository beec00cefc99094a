import assert from 'node:assert/strict';
import type { ImageSpec } from './bench-kubelet/image-spec.js';
import { eventsOf, first, lastExit, requireBench, runAsIs, show } from './bench-kubelet/scenario.js';
import type { AppConfig } from './bench-kubelet/programs/app.js';

/**
 * The bench kubelet against kubelet's documented behaviour: manifests run as they are (no function),
 * each behaviour with the kubelet function it follows. Orderings and outcomes only, never durations.
 */
function app(pattern: string, config: AppConfig, base: ImageSpec['base'] = 'distro'): ImageSpec {
  return { pattern, base, files: { '/server': { program: 'app', config } }, entrypoint: ['/server'], source: 'test image' };
}

const IMAGES: readonly ImageSpec[] = [
  app('bench.test/server:*', { readyAfterMs: 300 }),
  app('bench.test/slow-ready:*', { readyAfterMs: 2000 }),
  app('bench.test/step:*', { runs: 'to-completion', workMs: 600 }),
  app('bench.test/fail:*', { runs: 'to-completion', workMs: 200, exitCode: 3 }),
  app('bench.test/loopback:*', { host: '127.0.0.1', readyAfterMs: 100 }),
];

function pod(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'bench' }, spec: { terminationGracePeriodSeconds: 5, ...spec } };
}

const httpProbe = (port: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  httpGet: { path: '/', port },
  periodSeconds: 1,
  failureThreshold: 30,
  ...extra,
});

describe('bench kubelet: kubelet behaviour', function () {
  this.timeout(120_000);

  beforeEach(function () {
    requireBench(this);
  });

  it('starts main containers in spec order in one sync; a failed postStart hook kills its container and does not hold the next (SyncPod, startContainer)', async () => {
    const { reports } = await runAsIs(
      [
        pod('hook', {
          containers: [
            { name: 'first', image: 'bench.test/server:1', lifecycle: { postStart: { exec: { command: ['/bin/false'] } } } },
            { name: 'second', image: 'bench.test/server:1' },
          ],
        }),
      ],
      { images: IMAGES, runForMs: 8000 },
    );
    const r = reports[0]!;
    assert.ok(first(r, 'first', 'hook-failed') < first(r, 'second', 'started'), show(r));
    assert.ok(
      first(r, 'first', 'killed') < first(r, 'second', 'started'),
      `the hook's container is killed before the next starts:\n${show(r)}`,
    );
    assert.ok(eventsOf(r, 'first', 'restarted').length >= 1, `restartPolicy Always restarts it:\n${show(r)}`);
  });

  it('runs regular init containers one at a time, each after the previous one exited 0 (computeInitContainerActions)', async () => {
    const { reports } = await runAsIs(
      [
        pod('inits', {
          initContainers: [
            { name: 'one', image: 'bench.test/step:1' },
            { name: 'two', image: 'bench.test/step:1' },
          ],
          containers: [{ name: 'main', image: 'bench.test/server:1' }],
        }),
      ],
      { images: IMAGES, runForMs: 15_000, deleteAfterReadyMs: 200 },
    );
    const r = reports[0]!;
    assert.ok(lastExit(r, 'one') < first(r, 'two', 'started'), show(r));
    assert.ok(lastExit(r, 'two') < first(r, 'main', 'started'), show(r));
    assert.equal(r.ready, true, show(r));
  });

  it("gates the next init container on a restartable init container's startupProbe (computeInitContainerActions)", async () => {
    const { reports } = await runAsIs(
      [
        pod('native', {
          initContainers: [
            {
              name: 'proxy',
              image: 'bench.test/slow-ready:1',
              restartPolicy: 'Always',
              ports: [{ containerPort: 8080 }],
              startupProbe: httpProbe(8080),
            },
            { name: 'migrate', image: 'bench.test/step:1' },
          ],
          containers: [{ name: 'main', image: 'bench.test/server:1' }],
        }),
      ],
      {
        images: IMAGES,
        runForMs: 20_000,
        deleteAfterReadyMs: 200,
        functionConfig: { kind: 'ConfigMap', data: { order: 'proxy > migrate:Completed > main' } },
      },
    );
    const r = reports[0]!;
    assert.deepEqual(eventsOf(r, 'migrate', 'violation'), [], show(r));
    assert.deepEqual(eventsOf(r, 'main', 'violation'), [], show(r));
    assert.ok(first(r, 'proxy', 'ready') < first(r, 'migrate', 'started'), show(r));
  });

  it('stops main containers first, then restartable init containers in reverse order (kuberuntime_termination_order.go)', async () => {
    const { reports } = await runAsIs(
      [
        pod('stop', {
          initContainers: [
            { name: 'outer', image: 'bench.test/server:1', restartPolicy: 'Always' },
            { name: 'inner', image: 'bench.test/server:1', restartPolicy: 'Always' },
          ],
          containers: [{ name: 'main', image: 'bench.test/server:1' }],
        }),
      ],
      { images: IMAGES, runForMs: 15_000, deleteAfterReadyMs: 300 },
    );
    const r = reports[0]!;
    assert.ok(lastExit(r, 'main') < lastExit(r, 'inner'), show(r));
    assert.ok(lastExit(r, 'inner') < lastExit(r, 'outer'), show(r));
  });

  it('completes a Job pod from its main containers, then stops its native sidecar (computePodActions, getPhase)', async () => {
    const { reports } = await runAsIs(
      [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: { name: 'job', namespace: 'bench' },
          spec: {
            template: {
              spec: {
                restartPolicy: 'Never',
                initContainers: [{ name: 'proxy', image: 'bench.test/server:1', restartPolicy: 'Always' }],
                containers: [{ name: 'work', image: 'bench.test/step:1' }],
              },
            },
          },
        },
      ],
      { images: IMAGES, runForMs: 20_000 },
    );
    const r = reports[0]!;
    assert.equal(r.phase, 'Succeeded', show(r));
    assert.ok(lastExit(r, 'work') < lastExit(r, 'proxy'), show(r));
  });

  it('fails a Job pod whose main container fails with restartPolicy Never, and restarts it under OnFailure (ShouldContainerBeRestarted)', async () => {
    const job = (name: string, restartPolicy: string): Record<string, unknown> => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: 'bench' },
      spec: { template: { spec: { restartPolicy, containers: [{ name: 'work', image: 'bench.test/fail:1' }] } } },
    });
    const { reports } = await runAsIs([job('never', 'Never'), job('onfailure', 'OnFailure')], { images: IMAGES, runForMs: 6000 });
    const [never, onFailure] = reports;
    assert.equal(never!.phase, 'Failed', show(never!));
    assert.deepEqual(eventsOf(never!, 'work', 'restarted'), [], show(never!));
    assert.ok(eventsOf(onFailure!, 'work', 'restarted').length >= 1, show(onFailure!));
  });

  it('restarts a container that exits 0 under restartPolicy Always, with back-off (ShouldContainerBeRestarted, doBackOff)', async () => {
    const { reports } = await runAsIs([pod('always', { containers: [{ name: 'step', image: 'bench.test/step:1' }] })], {
      images: IMAGES,
      runForMs: 15_000,
    });
    const r = reports[0]!;
    assert.ok(eventsOf(r, 'step', 'restarted').length >= 2, show(r));
    for (const e of eventsOf(r, 'step', 'exited')) assert.equal(e.code, 0, show(r));
  });

  it('probes the pod IP: a program bound to 127.0.0.1 is never Ready (prober.go, pkg/probe/http)', async () => {
    const { reports } = await runAsIs(
      [
        pod('loopback', {
          containers: [{ name: 'app', image: 'bench.test/loopback:1', ports: [{ containerPort: 8080 }], readinessProbe: httpProbe(8080) }],
        }),
      ],
      { images: IMAGES, runForMs: 5000 },
    );
    const r = reports[0]!;
    assert.equal(r.ready, false, show(r));
    assert.ok(eventsOf(r, 'app', 'probe-failed').length >= 1, show(r));
  });

  it('kills and restarts a container whose liveness probe fails (computePodActions)', async () => {
    const { reports } = await runAsIs(
      [
        pod('liveness', {
          containers: [
            {
              name: 'app',
              image: 'bench.test/server:1',
              livenessProbe: { tcpSocket: { port: 9999 }, periodSeconds: 1, failureThreshold: 2 },
            },
          ],
        }),
      ],
      { images: IMAGES, runForMs: 10_000 },
    );
    const r = reports[0]!;
    assert.ok(first(r, 'app', 'killed') < first(r, 'app', 'restarted'), show(r));
  });

  it('expands $(VAR) in exec probe commands with the container env (ExpandContainerCommandOnlyStatic)', async () => {
    const { reports } = await runAsIs(
      [
        pod('exec', {
          containers: [
            {
              name: 'app',
              image: 'bench.test/server:1',
              env: [{ name: 'MARK', value: '/etc/hostname-not-here' }],
              readinessProbe: { exec: { command: ['/bin/sh', '-c', 'test ! -e $(MARK)'] }, periodSeconds: 1 },
            },
          ],
        }),
      ],
      { images: IMAGES, runForMs: 15_000, deleteAfterReadyMs: 100 },
    );
    assert.equal(reports[0]!.ready, true, show(reports[0]!));
  });

  it('sends SIGKILL at the end of the grace period to a PID 1 that ignores SIGTERM (killContainer)', async () => {
    const { reports } = await runAsIs(
      [pod('stubborn', { terminationGracePeriodSeconds: 2, containers: [{ name: 'app', image: 'bench.test/server:1' }] })],
      {
        images: IMAGES,
        runForMs: 3000,
        faults: { 'Pod/bench/stubborn': { app: { ignoreTerm: true } } },
      },
    );
    const r = reports[0]!;
    assert.equal(eventsOf(r, 'app', 'exited').at(-1)?.code, 137, show(r));
  });

  it('records a violation when a program starts before what it needs (the observable every ordering test reads)', async () => {
    const { reports } = await runAsIs(
      [
        pod('unordered', {
          containers: [
            { name: 'app', image: 'bench.test/server:1' },
            { name: 'proxy', image: 'bench.test/slow-ready:1' },
          ],
        }),
      ],
      { images: IMAGES, runForMs: 4000, functionConfig: { kind: 'ConfigMap', data: { sidecars: 'proxy' } } },
    );
    const r = reports[0]!;
    assert.equal(eventsOf(r, 'app', 'violation').length, 1, show(r));
    assert.match(eventsOf(r, 'app', 'violation')[0]!.detail ?? '', /proxy was Ready/);
  });
});
