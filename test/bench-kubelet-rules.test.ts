import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import type { V1Container, V1PodSpec, V1Probe } from '@kubernetes/client-node';
import type { ContainerProbeStatus, ContainerRuntimeStatus } from './bench-kubelet/pod-types.js';
import { ProbeManager, runProbe, type ProbeKind, type ProbeOutcome, type ProbeTarget } from './bench-kubelet/prober.js';
import {
  BackOff,
  computePodActions,
  gracePeriodOf,
  podPhase,
  podReady,
  shouldContainerBeRestarted,
  stopGraceSeconds,
  terminationOrder,
} from './bench-kubelet/rules.js';

const c = (name: string, extra: Partial<V1Container> = {}): V1Container => ({ name, image: 'busybox', ...extra });
const sidecar = (name: string, extra: Partial<V1Container> = {}): V1Container => c(name, { restartPolicy: 'Always', ...extra });
const running = (name: string, restartCount = 0): ContainerRuntimeStatus => ({ name, state: 'running', startedAt: 1, restartCount });
const exited = (name: string, exitCode: number, finishedAt = 10, restartCount = 0): ContainerRuntimeStatus => ({
  name,
  state: 'exited',
  exitCode,
  startedAt: 1,
  finishedAt,
  restartCount,
});
const rt = (...s: ContainerRuntimeStatus[]): Map<string, ContainerRuntimeStatus> => new Map(s.map((x) => [x.name, x]));
const pr = (entries: Record<string, ContainerProbeStatus>): Map<string, ContainerProbeStatus> => new Map(Object.entries(entries));
const none = (): boolean => false;
const exec = (...command: string[]): V1Probe => ({ exec: { command } });

describe('bench kubelet rules (kuberuntime computePodActions and friends)', () => {
  it('a failed postStart hook does not keep later containers from being listed to start', () => {
    // startContainer killed `a` after its postStart hook failed; SyncPod went on with `b`.
    const spec: V1PodSpec = { containers: [c('a', { lifecycle: { postStart: exec('false') } }), c('b')] };
    const afterHook = rt(exited('a', 137));
    assert.deepEqual(computePodActions(spec, afterHook, pr({}), none).containersToStart, ['a', 'b']);
    assert.deepEqual(computePodActions({ ...spec, restartPolicy: 'Never' }, afterHook, pr({}), none).containersToStart, ['b']);
    // `a` in back-off is held, `b` still starts.
    assert.deepEqual(
      computePodActions(spec, afterHook, pr({}), (n) => n === 'a'),
      { killPod: false, initContainersToStart: [], containersToStart: ['b'], containersToKill: [] },
    );
  });

  it('starts all main containers in one sync, in spec order', () => {
    const spec: V1PodSpec = { containers: [c('web'), c('app'), c('log')] };
    assert.deepEqual(computePodActions(spec, rt(), pr({}), none), {
      killPod: false,
      initContainersToStart: [],
      containersToStart: ['web', 'app', 'log'],
      containersToKill: [],
    });
  });

  it('runs regular init containers one at a time, then the main containers together', () => {
    const spec: V1PodSpec = { initContainers: [c('i1'), c('i2')], containers: [c('m1'), c('m2')] };
    const step = (r: Map<string, ContainerRuntimeStatus>) => computePodActions(spec, r, pr({}), none);
    assert.deepEqual(step(rt()).initContainersToStart, ['i1']);
    assert.deepEqual(step(rt(running('i1'))).initContainersToStart, []);
    assert.deepEqual(step(rt(running('i1'))).containersToStart, []);
    assert.deepEqual(step(rt(exited('i1', 0))).initContainersToStart, ['i2']);
    assert.deepEqual(step(rt(exited('i1', 0), exited('i2', 0))), {
      killPod: false,
      initContainersToStart: [],
      containersToStart: ['m1', 'm2'],
      containersToKill: [],
    });
    // A failed init container is retried (not the next one) unless the policy is Never.
    assert.deepEqual(step(rt(exited('i1', 1))).initContainersToStart, ['i1']);
  });

  it('lets the next init container start only once a restartable one has passed its startupProbe', () => {
    const spec: V1PodSpec = {
      initContainers: [sidecar('proxy', { startupProbe: exec('ready') }), c('migrate')],
      containers: [c('app')],
    };
    const r = rt(running('proxy'));
    assert.deepEqual(computePodActions(spec, rt(), pr({}), none).initContainersToStart, ['proxy']);
    assert.deepEqual(computePodActions(spec, r, pr({ proxy: { started: false, ready: false } }), none).initContainersToStart, []);
    assert.deepEqual(computePodActions(spec, r, pr({ proxy: { started: true, ready: true } }), none).initContainersToStart, ['migrate']);
    // A failed startup probe: kill and start it again, the next init container still waits.
    const failed = computePodActions(spec, r, pr({ proxy: { started: false, ready: false, failed: 'startup' } }), none);
    assert.deepEqual(failed.containersToKill, [
      { name: 'proxy', reason: 'Init container proxy failed startup probe', cause: 'StartupProbe' },
    ]);
    assert.deepEqual(failed.initContainersToStart, ['proxy']);
    // Without a startupProbe, Running is enough.
    const plain: V1PodSpec = { initContainers: [sidecar('proxy'), c('migrate')], containers: [c('app')] };
    assert.deepEqual(computePodActions(plain, r, pr({ proxy: { started: false, ready: false } }), none).initContainersToStart, ['migrate']);
    // Later, the main containers start while the sidecar keeps running; an exited sidecar is restarted.
    const later = rt(running('proxy'), exited('migrate', 0));
    assert.deepEqual(computePodActions(spec, later, pr({ proxy: { started: true, ready: true } }), none).containersToStart, ['app']);
    const sidecarDied = rt(exited('proxy', 1), exited('migrate', 0), running('app'));
    assert.deepEqual(computePodActions({ ...spec, restartPolicy: 'Never' }, sidecarDied, pr({}), none).initContainersToStart, ['proxy']);
  });

  it('restarts an exited-0 container with Always but not with OnFailure', () => {
    const app = c('app');
    assert.equal(shouldContainerBeRestarted(app, 'Always', exited('app', 0)), true);
    assert.equal(shouldContainerBeRestarted(app, 'OnFailure', exited('app', 0)), false);
    assert.equal(shouldContainerBeRestarted(app, 'OnFailure', exited('app', 2)), true);
    assert.equal(shouldContainerBeRestarted(app, 'Never', exited('app', 2)), false);
    assert.equal(shouldContainerBeRestarted(sidecar('s'), 'Never', exited('s', 0)), true);
    const spec = (restartPolicy: string): V1PodSpec => ({ restartPolicy, containers: [app, c('other')] });
    const r = rt(exited('app', 0), running('other'));
    assert.deepEqual(computePodActions(spec('Always'), r, pr({}), none).containersToStart, ['app']);
    assert.deepEqual(computePodActions(spec('OnFailure'), r, pr({}), none).containersToStart, []);
  });

  it('kills a container whose liveness probe failed, restarting it unless the policy is Never', () => {
    const spec: V1PodSpec = { containers: [c('app', { livenessProbe: exec('ok') }), c('other')] };
    const r = rt(running('app'), running('other'));
    const p = pr({ app: { started: true, ready: true, failed: 'liveness' } });
    const always = computePodActions(spec, r, p, none);
    assert.deepEqual(always.containersToKill, [
      { name: 'app', reason: 'Container app failed liveness probe, will be restarted', cause: 'LivenessProbe' },
    ]);
    assert.deepEqual(always.containersToStart, ['app']);
    const never = computePodActions({ ...spec, restartPolicy: 'Never' }, r, p, none);
    assert.deepEqual(never.containersToKill, [{ name: 'app', reason: 'Container app failed liveness probe', cause: 'LivenessProbe' }]);
    assert.deepEqual(never.containersToStart, []);
    assert.equal(never.killPod, false, '`other` still runs');
  });

  it('fails the pod when a regular init container fails with restartPolicy Never', () => {
    const spec: V1PodSpec = { restartPolicy: 'Never', initContainers: [c('init')], containers: [c('app')] };
    const r = rt(exited('init', 3));
    assert.deepEqual(computePodActions(spec, r, pr({}), none), {
      killPod: true,
      initContainersToStart: [],
      containersToStart: [],
      containersToKill: [],
    });
    assert.equal(podPhase(spec, r), 'Failed');
  });

  it('kills a Job-like pod once its main containers are done, without restarting the sidecars', () => {
    const spec: V1PodSpec = { restartPolicy: 'Never', initContainers: [sidecar('proxy')], containers: [c('job')] };
    const whileProxyRuns = rt(running('proxy'), exited('job', 0));
    const a = computePodActions(spec, whileProxyRuns, pr({ proxy: { started: true, ready: true } }), none);
    assert.equal(a.killPod, true);
    assert.deepEqual(a.initContainersToStart, []);
    assert.equal(podPhase(spec, whileProxyRuns), 'Running', 'the sidecar still runs');
    // Once the sidecar is killed the phase is terminal: kubelet.go SyncPod stops there and never calls
    // computePodActions again, which on its own would start the sidecar again (no regular container
    // is created or running, so it takes the pod for uninitialized).
    const afterKill = rt(exited('proxy', 143), exited('job', 0));
    assert.equal(podPhase(spec, afterKill), 'Succeeded', 'a terminated sidecar does not count');
    assert.deepEqual(computePodActions(spec, afterKill, pr({}), none).initContainersToStart, ['proxy']);
    assert.equal(podPhase(spec, rt(exited('proxy', 143), exited('job', 1))), 'Failed');
  });

  it('computes the phase', () => {
    const spec = (restartPolicy: string): V1PodSpec => ({ restartPolicy, containers: [c('a'), c('b')] });
    assert.equal(podPhase(spec('Never'), rt()), 'Pending');
    assert.equal(podPhase(spec('Never'), rt(running('a'))), 'Pending', 'b has not started');
    assert.equal(podPhase(spec('Never'), rt(running('a'), exited('b', 0))), 'Running');
    assert.equal(podPhase(spec('Never'), rt(exited('a', 0), exited('b', 0))), 'Succeeded');
    assert.equal(podPhase(spec('Never'), rt(exited('a', 0), exited('b', 1))), 'Failed');
    assert.equal(podPhase(spec('OnFailure'), rt(exited('a', 0), exited('b', 1))), 'Running');
    assert.equal(podPhase(spec('OnFailure'), rt(exited('a', 0), exited('b', 0))), 'Succeeded');
    assert.equal(podPhase(spec('Always'), rt(exited('a', 0), exited('b', 0))), 'Running');
    assert.equal(podPhase(spec('Always'), rt(exited('a', 0), exited('b', 0)), undefined, true), 'Succeeded');
    // A restartable init container holds Pending until it has started.
    const withSidecar: V1PodSpec = { initContainers: [sidecar('s', { startupProbe: exec('x') })], containers: [c('a')] };
    assert.equal(podPhase(withSidecar, rt(running('s')), pr({ s: { started: false, ready: false } })), 'Pending');
    assert.equal(podPhase(withSidecar, rt(running('s'), running('a')), pr({ s: { started: true, ready: false } })), 'Running');
    // ...but not once a regular container has run.
    assert.equal(podPhase(withSidecar, rt(running('s', 1), running('a')), pr({ s: { started: false, ready: false } })), 'Running');
  });

  it('counts restartable init containers, not regular ones, in the Ready condition', () => {
    const spec: V1PodSpec = { initContainers: [c('init'), sidecar('s')], containers: [c('a')] };
    const r = rt(exited('init', 0), running('s'), running('a'));
    assert.equal(podReady(spec, r, pr({ s: { started: true, ready: true }, a: { started: true, ready: true } })), true);
    assert.equal(podReady(spec, r, pr({ s: { started: true, ready: false }, a: { started: true, ready: true } })), false);
    assert.equal(
      podReady(
        { ...spec, readinessGates: [{ conditionType: 'x' }] },
        r,
        pr({ s: { started: true, ready: true }, a: { started: true, ready: true } }),
      ),
      false,
    );
  });

  it('orders termination: main containers at once, sidecars after them, last sidecar first', () => {
    const spec: V1PodSpec = { initContainers: [sidecar('s1'), c('init'), sidecar('s2')], containers: [c('m1'), c('m2')] };
    assert.deepEqual(terminationOrder(spec, ['m1', 'm2', 's1', 's2']), [
      { name: 'm1', after: [] },
      { name: 'm2', after: [] },
      { name: 's2', after: ['m1', 'm2'] },
      { name: 's1', after: ['m1', 'm2', 's2'] },
    ]);
    assert.deepEqual(terminationOrder(spec, ['m2', 's1']), [
      { name: 'm2', after: [] },
      { name: 's1', after: ['m2'] },
    ]);
  });

  it('gives a killed container its grace period, preStop included, and never less than 2 s', () => {
    const spec: V1PodSpec = {
      terminationGracePeriodSeconds: 20,
      containers: [c('a', { livenessProbe: { ...exec('x'), terminationGracePeriodSeconds: 5 } })],
    };
    assert.equal(gracePeriodOf(spec, 'a'), 20);
    assert.equal(gracePeriodOf(spec, 'a', 'Container a failed liveness probe, will be restarted'), 5);
    assert.equal(gracePeriodOf({ containers: [c('a')] }, 'a'), 30);
    assert.equal(stopGraceSeconds(20, 7_900), 13);
    assert.equal(stopGraceSeconds(20, 19_000, 5_000), 2);
    assert.equal(stopGraceSeconds(0, 0), 2);
  });

  it('backs off restarts as flowcontrol.Backoff does, from the container finishedAt', () => {
    const b = new BackOff(0.01); // 100 ms, doubling, at most 3 s
    // No entry yet: the first restart after a crash is immediate.
    assert.equal(b.inBackOffFor('app', 1_000, exited('app', 1, 1_000)), false);
    assert.deepEqual(b.doBackOff('app', 1_000, exited('app', 1, 1_000)), { inBackOff: false });
    assert.equal(b.get('app'), 100);
    // Second crash at 1 050: held until 1 150.
    assert.equal(b.inBackOffFor('app', 1_100, exited('app', 1, 1_050)), true);
    assert.match(b.doBackOff('app', 1_100, exited('app', 1, 1_050)).message ?? '', /^back-off 100ms restarting failed container=app/);
    assert.equal(b.inBackOffFor('app', 1_150, exited('app', 1, 1_050)), false);
    assert.equal(b.next('app', 1_150, 1_050), 200);
    assert.equal(b.next('app', 1_400, 1_350), 400);
    for (let i = 0; i < 10; i++) b.next('app', 1_500, 1_450);
    assert.equal(b.get('app'), 3_000);
    // Ran longer than 2×max since the last restart: starts over.
    assert.equal(b.isInBackOff('app', 9_000, 8_000), false);
    assert.equal(b.next('app', 9_000, 8_000), 100);
    // A container that never exited is never in back-off.
    assert.equal(b.inBackOffFor('other', 1_000, undefined), false);
  });
});

// -------------------------------------------------------------------------------------------------

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as net.AddressInfo).port };
}

function target(container: V1Container, execFn?: ProbeTarget['exec']): ProbeTarget {
  return {
    podIP: '127.0.0.1',
    container,
    env: new Map(),
    exec: execFn ?? (() => Promise.reject(new Error('no exec'))),
  };
}

async function waitFor(what: string, test: () => boolean, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('bench kubelet prober (pkg/probe and pkg/kubelet/prober)', () => {
  let server: http.Server;
  let port: number;
  const seen: { path: string; host: string | undefined; ua: string | undefined; accept: string | undefined }[] = [];

  before(async () => {
    ({ server, port } = await listen((req, res) => {
      seen.push({ path: req.url ?? '', host: req.headers.host, ua: req.headers['user-agent'], accept: req.headers.accept });
      const status = /^\/status\/(\d+)$/.exec(req.url ?? '');
      if (status) {
        res.writeHead(Number(status[1]));
        res.end('body');
      } else if (req.url === '/away') {
        res.writeHead(302, { Location: 'http://elsewhere.invalid/x' });
        res.end('moved');
      } else if (req.url === '/here') {
        res.writeHead(302, { Location: '/status/200' });
        res.end();
      } else if (req.url === '/host') {
        res.writeHead(req.headers.host === 'app.example' ? 200 : 404);
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    }));
  });
  after(() => server.close());

  it('http: 200..399 succeed (3xx as a warning), 400 fails', async () => {
    const app = c('app', { ports: [{ name: 'web', containerPort: port }] });
    const get = (path: string, p: number | string = port) => runProbe({ httpGet: { path, port: p } }, target(app));
    assert.equal((await get('/status/200')).result, 'success');
    assert.equal((await get('/status/204')).result, 'success');
    assert.equal((await get('/status/399')).result, 'warning');
    assert.deepEqual(await get('/status/400'), { result: 'failure', detail: 'HTTP probe failed with statuscode: 400' });
    assert.equal((await get('/status/200', 'web')).result, 'success', 'named port');
    assert.equal((await get('/status/200', 'nope')).errored, true, 'unknown named port: an error, not a failure');
    const last = seen.at(-1)!;
    assert.match(last.ua ?? '', /^kube-probe\/\d+\.\d+$/);
    assert.equal(last.accept, '*/*');
    assert.equal(last.host, `127.0.0.1:${port}`);
  });

  it('http: a redirect to another host is not followed and counts as success; one to the same host is followed', async () => {
    const away = await runProbe({ httpGet: { path: '/away', port } }, target(c('app')));
    assert.equal(away.result, 'warning');
    assert.match(away.detail, /Probe terminated redirects/);
    const here = await runProbe({ httpGet: { path: '/here', port } }, target(c('app')));
    assert.deepEqual(here, { result: 'success', detail: 'body' });
    assert.equal(seen.at(-1)!.path, '/status/200');
  });

  it('http: a Host header overrides the request host', async () => {
    assert.equal((await runProbe({ httpGet: { path: '/host', port } }, target(c('app')))).result, 'failure');
    const o = await runProbe({ httpGet: { path: '/host', port, httpHeaders: [{ name: 'host', value: 'app.example' }] } }, target(c('app')));
    assert.equal(o.result, 'success');
  });

  it('http and tcp: a host other than the pod IP is dialled from the node, which the bench has not', async () => {
    const o = await runProbe({ httpGet: { host: 'localhost', path: '/status/200', port } }, target(c('app')));
    assert.equal(o.result, 'failure');
    assert.match(o.detail, /connection refused.*from the node/);
    assert.equal((await runProbe({ tcpSocket: { host: '127.0.0.2', port } }, target(c('app')))).result, 'failure');
  });

  it('tcp: success when something listens, connection refused when not', async () => {
    assert.deepEqual(await runProbe({ tcpSocket: { port } }, target(c('app'))), { result: 'success', detail: '' });
    const closed = await listen(() => undefined);
    await new Promise((r) => closed.server.close(r));
    const o = await runProbe({ tcpSocket: { port: closed.port } }, target(c('app')));
    assert.equal(o.result, 'failure');
    assert.equal(o.detail, `dial tcp 127.0.0.1:${closed.port}: connect: connection refused`);
  });

  it('exec: $(VAR) expands from the container env as written, as ExpandContainerCommandOnlyStatic does', async () => {
    const app = c('app', {
      env: [
        { name: 'GREETING', value: 'hi' },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ],
    });
    const calls: (readonly string[])[] = [];
    const t = target(app, (argv) => {
      calls.push(argv);
      return Promise.resolve(argv[2]!.startsWith('echo') ? { code: 0, output: 'fine\n' } : { code: 1, output: 'bad\n' });
    });
    assert.deepEqual(await runProbe(exec('sh', '-c', 'echo $(GREETING) [$(POD)] $(MISSING) $$(GREETING)'), t), {
      result: 'success',
      detail: 'fine\n',
    });
    assert.deepEqual(calls[0], ['sh', '-c', 'echo hi [] $(MISSING) $(GREETING)']);
    assert.deepEqual(await runProbe(exec('sh', '-c', 'exit 1'), t), { result: 'failure', detail: 'bad\n' });
    const broken = await runProbe(exec('x'), target(app));
    assert.equal(broken.errored, true);
  });

  it('grpc: not supported, a failure that says so', async () => {
    const o = await runProbe({ grpc: { port: 9000 } }, target(c('app')));
    assert.equal(o.result, 'failure');
    assert.match(o.detail, /not supported/);
  });
});

describe('bench kubelet ProbeManager (worker.go)', () => {
  /** A fake exec whose answers follow a script per probe command; the last answer repeats. */
  function scripted(script: Record<string, number[]>): { exec: ProbeTarget['exec']; attempts: string[]; maxConcurrent: () => number } {
    const attempts: string[] = [];
    const counts = new Map<string, number>();
    let inFlight = 0;
    let max = 0;
    return {
      attempts,
      maxConcurrent: () => max,
      exec: async (argv) => {
        const key = argv[0]!;
        inFlight++;
        max = Math.max(max, inFlight);
        await new Promise((r) => setTimeout(r, key === 'slow' ? 60 : 1));
        inFlight--;
        const n = counts.get(key) ?? 0;
        counts.set(key, n + 1);
        const seq = script[key] ?? [0];
        const code = seq[Math.min(n, seq.length - 1)]!;
        attempts.push(`${key}:${code}`);
        return { code, output: '' };
      },
    };
  }

  const quick = (cmd: string, extra: Partial<V1Probe> = {}): V1Probe => ({ ...exec(cmd), periodSeconds: 1, ...extra });

  it('reports failed only when the failureThreshold is reached, then stops probing the instance', async () => {
    const fake = scripted({ live: [1] });
    const app = c('app', { livenessProbe: quick('live', { failureThreshold: 3 }) });
    const m = new ProbeManager({ scale: 0.02 });
    const changes: string[] = [];
    const attempts: ProbeOutcome[] = [];
    m.onChange((_n, what) => changes.push(what));
    m.onAttempt((_n, _k, o) => attempts.push(o));
    m.add('app', app, Date.now(), target(app, fake.exec));
    try {
      await waitFor('failed', () => changes.includes('failed'));
      assert.equal(attempts.length, 3, 'one failure event per attempt, failed after the third');
      assert.equal(m.status('app').failed, 'liveness');
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(fake.attempts.length, 3, 'on hold until a new container');
      // A new instance starts afresh.
      m.remove('app');
      m.add('app', app, Date.now(), target(app, fake.exec));
      assert.equal(m.status('app').failed, undefined);
      await waitFor('more attempts', () => fake.attempts.length > 3);
    } finally {
      m.stop();
    }
    assert.deepEqual(changes.slice(0, 3), ['started', 'ready', 'failed']);
  });

  it('runs readiness and liveness only after the startup probe succeeded', async () => {
    const fake = scripted({ start: [1, 1, 0], ready: [0], live: [0] });
    const app = c('app', {
      startupProbe: quick('start', { failureThreshold: 10 }),
      readinessProbe: quick('ready'),
      livenessProbe: quick('live'),
    });
    const m = new ProbeManager({ scale: 0.02 });
    const changes: string[] = [];
    m.onChange((_n, what) => changes.push(what));
    m.add('app', app, Date.now(), target(app, fake.exec));
    try {
      assert.deepEqual(m.status('app'), { started: false, ready: false });
      await waitFor('ready', () => changes.includes('ready'));
      await waitFor('a liveness attempt', () => fake.attempts.some((a) => a.startsWith('live')));
    } finally {
      m.stop();
    }
    const firstOther = fake.attempts.findIndex((a) => !a.startsWith('start'));
    assert.deepEqual(fake.attempts.slice(0, firstOther), ['start:1', 'start:1', 'start:0']);
    assert.ok(
      fake.attempts.slice(firstOther).every((a) => !a.startsWith('start')),
      'startup stops once started',
    );
    assert.deepEqual(changes.slice(0, 2), ['started', 'ready']);
  });

  it('needs successThreshold successes in a row to become ready', async () => {
    const fake = scripted({ ready: [0, 1, 0, 0] });
    const app = c('app', { readinessProbe: quick('ready', { successThreshold: 2 }) });
    const m = new ProbeManager({ scale: 0.02 });
    const readyAfter: number[] = [];
    m.onChange((_n, what) => what === 'ready' && readyAfter.push(fake.attempts.length));
    m.add('app', app, Date.now(), target(app, fake.exec));
    try {
      assert.deepEqual(m.status('app'), { started: true, ready: false });
      await waitFor('ready', () => readyAfter.length > 0);
    } finally {
      m.stop();
    }
    assert.deepEqual(readyAfter, [4]);
  });

  it('throws away errored attempts, and never overlaps the attempts of one probe', async () => {
    const app = c('app', { livenessProbe: quick('x', { failureThreshold: 1 }) });
    const m = new ProbeManager({ scale: 0.02 });
    const kinds: [ProbeKind, boolean | undefined][] = [];
    m.onAttempt((_n, kind, o) => kinds.push([kind, o.errored]));
    let calls = 0;
    m.add(
      'app',
      app,
      Date.now(),
      target(app, () => (calls++, Promise.reject(new Error('runtime error')))),
    );
    try {
      await waitFor('two attempts', () => kinds.length >= 2);
      assert.ok(calls >= kinds.length * 3, 'each reported attempt was tried 3 times');
      assert.equal(m.status('app').failed, undefined, 'an error is not a failure');
    } finally {
      m.stop();
    }
    assert.deepEqual(kinds[0], ['liveness', true]);

    const slow = scripted({ slow: [0] });
    const s = c('s', { readinessProbe: quick('slow') });
    const m2 = new ProbeManager({ scale: 0.01 }); // ticks every 10 ms, each attempt takes 60 ms
    m2.add('s', s, Date.now(), target(s, slow.exec));
    try {
      await waitFor('several attempts', () => slow.attempts.length >= 4);
    } finally {
      m2.stop();
    }
    assert.equal(slow.maxConcurrent(), 1);
  });
});
