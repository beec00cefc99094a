/**
 * One pod on the bench kubelet: the pod worker's sync loop (kubelet.go SyncPod → kuberuntime_manager.go
 * SyncPod) over the rules of rules.ts, the runtime of runtime.ts and the prober of prober.ts, from the
 * pod's start until it has finished or been deleted. It runs in the pod's network namespace.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { V1Container, V1LifecycleHandler } from '@kubernetes/client-node';
import { containerArgv, containerEnv, containerMounts, containerUser, podVolumes, type ManifestObjects } from './container-config.js';
import type { ImageSpec } from './image-spec.js';
import { ImageRegistry, type Image } from './images.js';
import type { ContainerProbeStatus, ContainerRuntimeStatus, EventKind, PodEvent, PodPhase, PodReport, V1PodSpec } from './pod-types.js';
import { ProbeManager, type ProbeTarget } from './prober.js';
import {
  BackOff,
  computePodActions,
  gracePeriodOf,
  isRestartableInit,
  podPhase,
  podReady,
  runsPreStop,
  runsToCompletion,
  stopGraceSeconds,
  terminationOrder,
} from './rules.js';
import { createSandbox, podHostname, startContainer, type PodSandbox, type RunningContainer } from './runtime.js';
import type { Condition, ProgramFault } from './programs/lib.js';

/** Faults of one container: the program's own (programs/lib.ts) and what the node does to it. */
export interface ContainerFault extends ProgramFault {
  /** The whole container is killed (cgroup OOM kill: every process at once, exit 137) this long after it starts. */
  readonly oomKillAfterMs?: number;
  /** Its image cannot be pulled (ErrImagePull): the container never starts. */
  readonly imagePullFails?: boolean;
}

export interface PodJob {
  /** Kind/namespace/name of the workload the pod template comes from. */
  readonly workload: string;
  readonly podName: string;
  readonly namespace: string;
  readonly spec: V1PodSpec;
  readonly podIP: string;
  /** A scratch folder for this pod. */
  readonly dir: string;
  readonly images: readonly ImageSpec[];
  /** The containers as the manifest wrote them before the function: where the generic app's program lies. */
  readonly written: Readonly<Record<string, { readonly command?: readonly string[] }>>;
  readonly requires: Readonly<Record<string, readonly { readonly container: string; readonly condition: Condition }[]>>;
  readonly runs: Readonly<Record<string, 'to-completion' | 'until-stopped'>>;
  readonly faults: Readonly<Record<string, ContainerFault>>;
  readonly objects: {
    readonly configMaps: Record<string, Record<string, string>>;
    readonly secrets: Record<string, Record<string, string>>;
  };
  /** The pod is deleted this long after it starts, or when it has run this long (whichever is first). */
  readonly deleteAtMs?: number;
  readonly runForMs: number;
  /** Delete the pod this long after it first becomes Ready (or, for a pod that runs to completion, never). */
  readonly deleteAfterReadyMs?: number;
  /** kubelet's back-off (10 s doubling to 5 min) is multiplied by this on the bench; the timeline says so. */
  readonly backOffScale: number;
}

interface Slot {
  readonly container: V1Container;
  /** restartCount -1: never created (kubelet has no status for it, and the rules must not see one). */
  status: ContainerRuntimeStatus;
  running?: RunningContainer;
  image?: Image;
  /** The kill under way: a second kill of the same container (the sync's and the pod's) joins it. */
  stopping?: Promise<void>;
}

/**
 * The generic application image for a reference the registry does not list: a distro image whose
 * program, at the path the manifest's command names (or /app, its ENTRYPOINT), is the app of
 * programs/app.ts.
 */
function appImage(ref: string, written: { readonly command?: readonly string[] } | undefined): ImageSpec {
  const first = written?.command?.[0];
  // A shell runs its script for real (with the distro's tools); any other command names the program,
  // which is the application, even where the distro has a tool of that name (an image entry says otherwise).
  const shells = new Set(['sh', 'bash', 'dash', 'ash', '/bin/sh', '/bin/bash', '/bin/dash', '/usr/bin/env', 'env']);
  const path = first === undefined || shells.has(first) ? '/app' : first.startsWith('/') ? first : `/usr/local/bin/${first}`;
  return {
    pattern: ref,
    base: 'distro',
    files: { [path]: { program: 'app' } },
    entrypoint: ['/app'],
    source: 'the bench: the generic application image',
  };
}

/** What a generic application serves: its declared ports and the ports its own probes check. */
function servedPorts(c: V1Container): number[] {
  const ports = new Set((c.ports ?? []).map((p) => p.containerPort));
  for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
    const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
    const n =
      typeof port === 'number'
        ? port
        : /^\d+$/.test(String(port ?? ''))
          ? Number(port)
          : c.ports?.find((p) => p.name === port)?.containerPort;
    if (n !== undefined) ports.add(n);
  }
  return [...ports];
}

export async function runPod(job: PodJob): Promise<PodReport> {
  const t0 = Date.now();
  const now = (): number => Date.now() - t0;
  const events: PodEvent[] = [];
  const emit = (container: string, event: EventKind, detail?: string, code?: number): void => {
    events.push({ t: now(), container, event, ...(code === undefined ? {} : { code }), ...(detail === undefined ? {} : { detail }) });
  };
  const objects: ManifestObjects = {
    configMaps: new Map(Object.entries(job.objects.configMaps)),
    secrets: new Map(Object.entries(job.objects.secrets)),
  };
  const registry = new ImageRegistry(job.images, join(job.dir, 'registry'));
  const sandbox: PodSandbox = await createSandbox(
    job.dir,
    job.podIP,
    podHostname(job.podName, job.namespace, job.spec.hostname, job.spec.subdomain),
    podVolumes(job.spec.volumes ?? [], job.namespace, objects),
  );
  const slots = new Map<string, Slot>();
  for (const c of job.spec.initContainers ?? [])
    slots.set(c.name, { container: c, status: { name: c.name, state: 'created', restartCount: -1 } });
  for (const c of job.spec.containers) slots.set(c.name, { container: c, status: { name: c.name, state: 'created', restartCount: -1 } });

  const probes = new ProbeManager();
  const backOff = new BackOff(job.backOffScale);
  let terminating = false;
  let finished = false;
  let everReady = false;
  let phaseAtEnd: PodPhase | undefined;
  let readyAtEnd = false;
  const timers: NodeJS.Timeout[] = [];

  const runtimeMap = (): Map<string, ContainerRuntimeStatus> =>
    new Map([...slots].filter(([, s]) => s.status.restartCount >= 0).map(([n, s]) => [n, s.status]));
  const probeMap = (): Map<string, ContainerProbeStatus> => new Map([...slots.keys()].map((n) => [n, probes.status(n)]));

  // Each failed attempt is a probe-failed event; reaching the threshold shows as the kill that follows.
  probes.onChange((name, what, detail) => {
    if (what === 'ready') emit(name, 'ready', detail);
    scheduleSync();
  });
  probes.onAttempt((name, kind, outcome) => {
    if (outcome.result === 'failure') emit(name, 'probe-failed', `${kind}: ${outcome.detail}`);
  });

  // kubelet's pod worker runs one sync at a time; what happens meanwhile is seen by the next one.
  let syncing: Promise<void> = Promise.resolve();
  let pending = false;
  function scheduleSync(): void {
    if (pending || finished) return;
    pending = true;
    syncing = syncing
      .then(async () => {
        pending = false;
        if (!terminating && !finished) await sync();
      })
      .catch((e: Error) => {
        process.stderr.write(`bench pod ${job.workload}: a sync failed: ${e.stack ?? e.message}\n`);
      });
  }

  function targetOf(slot: Slot): ProbeTarget {
    const env = new Map(slot.image ? containerEnv(slot.container, slot.image.spec, identity, objects) : []);
    return {
      podIP: job.podIP,
      container: slot.container,
      env,
      exec: (argv, timeoutMs) => slot.running!.exec(argv, timeoutMs),
    };
  }

  const identity = {
    name: job.podName,
    namespace: job.namespace,
    podIP: job.podIP,
    serviceAccountName: job.spec.serviceAccountName ?? 'default',
  };

  /** Runs a lifecycle handler (lifecycle/handlers.go HandlerRunner.Run): exec, httpGet or sleep. */
  async function runHandler(slot: Slot, handler: V1LifecycleHandler, boundMs?: number): Promise<string | undefined> {
    if (handler.exec?.command) {
      // handlers.go runs exec hooks with no timeout of its own (RunInContainer(..., 0)).
      const r = await slot.running!.exec(handler.exec.command, boundMs);
      return r.code === 0 ? undefined : `exit ${r.code}${r.timedOut ? ' (cut at the grace period)' : ''}: ${r.output.trim().slice(-300)}`;
    }
    if (handler.httpGet) return httpHook(handler.httpGet, slot, boundMs);
    const sleep = (handler as { sleep?: { seconds: number } }).sleep;
    if (sleep) {
      await new Promise((r) => setTimeout(r, Math.min(sleep.seconds * 1000, boundMs ?? Infinity)));
      return undefined;
    }
    return 'the handler has no action';
  }

  /**
   * handlers.go runHTTPHandler: a GET to the host (the pod IP by default), whose answer is read and
   * thrown away: only a request that fails is a failed hook, whatever the status code.
   */
  function httpHook(get: NonNullable<V1LifecycleHandler['httpGet']>, slot: Slot, boundMs?: number): Promise<string | undefined> {
    const named =
      typeof get.port === 'string' && !/^\d+$/.test(get.port)
        ? slot.container.ports?.find((p) => p.name === get.port)?.containerPort
        : Number(get.port);
    if (named === undefined) return Promise.resolve(`the hook's port ${JSON.stringify(get.port)} is not a port of the container`);
    const path = get.path === undefined || get.path === '' ? '/' : get.path.startsWith('/') ? get.path : `/${get.path}`;
    const headers = Object.fromEntries((get.httpHeaders ?? []).map((h) => [h.name, h.value]));
    return new Promise((resolve) => {
      const req = httpRequest(
        { host: get.host || job.podIP, port: named, path, method: 'GET', headers, agent: false, timeout: boundMs },
        (res) => {
          res.resume();
          res.on('end', () => resolve(undefined));
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer within the grace period')));
      req.on('error', (e) => resolve(e.message));
      req.end();
    });
  }

  function onExit(slot: Slot, instance: number, code: number): void {
    if (slot.status.restartCount !== instance || slot.status.state !== 'running') return;
    slot.status = { ...slot.status, state: 'exited', exitCode: code, finishedAt: now() };
    slot.running = undefined;
    probes.remove(slot.container.name);
    emit(slot.container.name, 'exited', undefined, code);
    scheduleSync();
  }

  /** kuberuntime_container.go startContainer: pull, create, start, then the postStart hook. False when it failed. */
  async function start(slot: Slot): Promise<boolean> {
    const c = slot.container;
    const instance = slot.status.restartCount + 1;
    const fault = job.faults[c.name] ?? {};
    const image = fault.imagePullFails
      ? undefined
      : (registry.pull(c.image ?? '') ?? registry.layOut(c.image ?? '', appImage(c.image ?? '', job.written[c.name])));
    if (!image) {
      slot.status = { ...slot.status, state: 'created', restartCount: Math.max(0, slot.status.restartCount), startError: 'ErrImagePull' };
      emit(c.name, 'exited', 'ErrImagePull: the image cannot be pulled (fault)');
      return false;
    }
    slot.image = image;
    const env = containerEnv(c, image.spec, identity, objects);
    const user = containerUser(c, job.spec, image.spec);
    if (user.nonRootRequired && user.uid === 0) {
      // kuberuntime_container_linux.go verifyRunAsNonRoot: CreateContainerConfigError.
      slot.status = { ...slot.status, restartCount: Math.max(0, slot.status.restartCount), startError: 'CreateContainerConfigError' };
      emit(c.name, 'exited', 'CreateContainerConfigError: container has runAsNonRoot and image will run as root');
      return false;
    }
    const argv = containerArgv(c, image.spec, new Map(env));
    let running: RunningContainer;
    try {
      running = await startContainer(sandbox, {
        name: c.name,
        instance,
        image,
        argv,
        env,
        workingDir: c.workingDir ?? image.spec.workingDir ?? '/',
        uid: user.uid,
        gid: user.gid,
        readOnlyRoot: c.securityContext?.readOnlyRootFilesystem === true,
        mounts: c.volumeMounts ? containerMounts(c) : [],
        self: {
          name: c.name,
          podStart: t0,
          requires: job.requires[c.name] ?? [],
          fault,
          ports: servedPorts(c),
          runs: job.runs[c.name],
        },
      });
    } catch (e) {
      // The runtime could not create or start it (a mount, a path): kubelet reports RunContainerError.
      slot.status = { ...slot.status, restartCount: Math.max(0, slot.status.restartCount), startError: 'RunContainerError' };
      emit(c.name, 'exited', `RunContainerError: ${(e as Error).message}`);
      return false;
    }
    slot.running = running;
    slot.status = { name: c.name, state: 'running', startedAt: now(), restartCount: instance };
    emit(c.name, instance === 0 ? 'started' : 'restarted', instance === 0 ? undefined : `restart ${instance}`);
    void running.exited.then((code) => onExit(slot, instance, code));
    startedThisSync.push({ slot, running, at: Date.now() });
    if (fault.oomKillAfterMs !== undefined) {
      timers.push(
        setTimeout(() => {
          if (slot.running === running && !finished) {
            emit(c.name, 'killed', 'OOMKilled: the whole container is killed at once (memory.oom.group)');
            running.signal('SIGKILL');
          }
        }, fault.oomKillAfterMs),
      );
    }
    const postStart = c.lifecycle?.postStart;
    if (postStart) {
      const failure = await runHandler(slot, postStart);
      if (failure !== undefined) {
        // startContainer: event FailedPostStartHook, killContainer, return the error (SyncPod goes on).
        emit(c.name, 'hook-failed', `postStart: ${failure}`);
        await killContainer(slot, 'FailedPostStartHook', gracePeriodOf(job.spec, c, 'FailedPostStartHook'));
        return false;
      }
    }
    // `Started` is kubelet's word (README: the container has started and its postStart hook returned),
    // not the program's: the mark is left here, where startContainer returns, so that a program that
    // starts after this container is judged against what kubelet promises, not against how soon this
    // container's program ran its first line (the program marks it too, later).
    const mark = join(sandbox.marksDir, `${c.name}.started`);
    writeFileSync(`${mark}.tmp`, String(now()));
    renameSync(`${mark}.tmp`, mark);
    return true;
  }

  /**
   * kuberuntime_container.go killContainer: the preStop hook (only when grace > 0, waited for at most
   * the grace period), then, for a sidecar, its turn (termination order), then SIGTERM, and SIGKILL once
   * the rest of the grace period (at least minimumGracePeriodInSeconds) has passed.
   */
  function killContainer(slot: Slot, reason: string, graceSeconds: number, turn?: Promise<unknown>): Promise<void> {
    if (!slot.running) return Promise.resolve();
    slot.stopping ??= stopContainer(slot, slot.running, reason, graceSeconds, turn).finally(() => (slot.stopping = undefined));
    return slot.stopping;
  }

  async function stopContainer(
    slot: Slot,
    running: RunningContainer,
    reason: string,
    graceSeconds: number,
    turn?: Promise<unknown>,
  ): Promise<void> {
    emit(slot.container.name, 'killed', reason);
    const started = Date.now();
    if (runsPreStop(slot.container, graceSeconds)) {
      const failure = await runHandler(slot, slot.container.lifecycle!.preStop!, graceSeconds * 1000);
      if (failure !== undefined) emit(slot.container.name, 'hook-failed', `preStop: ${failure}`);
    }
    const preStopMs = Date.now() - started;
    let waitedMs: number | undefined;
    if (turn) {
      const before = Date.now();
      const left = graceSeconds * 1000 - preStopMs;
      if (left > 0) await Promise.race([turn, new Promise((r) => setTimeout(r, left))]);
      waitedMs = Date.now() - before;
    }
    running.signal('SIGTERM');
    const killer = setTimeout(() => running.signal('SIGKILL'), stopGraceSeconds(graceSeconds, preStopMs, waitedMs) * 1000);
    await running.exited;
    clearTimeout(killer);
  }

  /** kuberuntime_manager.go killPodWithSyncResult: every container at once, sidecars in the order of kuberuntime_termination_order.go. */
  async function killPod(reason: string): Promise<void> {
    probes.stopLivenessAndStartup(job.spec.containers.map((c) => c.name));
    const running = [...slots.values()].filter((s) => s.running);
    const exitedOf = new Map(running.map((s) => [s.container.name, s.running!.exited]));
    const order = terminationOrder(
      job.spec,
      running.map((s) => s.container.name),
    );
    await Promise.all(
      order.map(({ name, after }) => {
        const slot = slots.get(name)!;
        const turn = after.length ? Promise.all(after.map((a) => exitedOf.get(a) ?? Promise.resolve())) : undefined;
        return killContainer(slot, reason, gracePeriodOf(job.spec, slot.container), turn);
      }),
    );
  }

  // The prober reads container states from the pod status, which kubelet writes at the end of a sync:
  // a container started in a sync (and its postStart hook) is probed from the end of that sync.
  let startedThisSync: { slot: Slot; running: RunningContainer; at: number }[] = [];

  async function sync(): Promise<void> {
    startedThisSync = [];
    try {
      await syncPod();
    } finally {
      for (const { slot, running, at } of startedThisSync)
        if (slot.running === running && !terminating) probes.add(slot.container.name, slot.container, at, targetOf(slot));
    }
  }

  async function syncPod(): Promise<void> {
    // kubelet.go SyncPod → generateAPIPodStatus → prober_manager.go UpdatePodStatus, once a sync.
    probes.updatePodStatus();
    // kubelet.go SyncPod: a pod in a terminal phase is not synced any more; its worker terminates it.
    const phase = podPhase(job.spec, runtimeMap(), probeMap());
    if (phase === 'Succeeded' || phase === 'Failed') {
      await finish(`the pod ${phase === 'Succeeded' ? 'succeeded' : 'failed'}`, 'done');
      return;
    }
    const actions = computePodActions(job.spec, runtimeMap(), probeMap(), (name) =>
      backOff.inBackOffFor(name, now(), slots.get(name)?.status),
    );
    for (const kill of actions.containersToKill) {
      const slot = slots.get(kill.name);
      if (slot?.running) await killContainer(slot, kill.reason, gracePeriodOf(job.spec, slot.container, kill.cause ?? kill.reason));
    }
    if (actions.killPod) {
      await finish('the pod is done', 'done');
      return;
    }
    // kuberuntime_manager.go SyncPod's start(): doBackOff right before each start.
    const inBackOff = (slot: Slot): boolean => backOff.doBackOff(slot.container.name, now(), slot.status).inBackOff;
    for (const name of actions.initContainersToStart) {
      if (terminating) return;
      const slot = slots.get(name)!;
      if (inBackOff(slot)) break;
      // SyncPod step 6: a regular init container that fails to start ends this sync; a sidecar that
      // fails is passed over.
      if (!(await start(slot)) && !isRestartableInit(slot.container)) break;
    }
    for (const name of actions.containersToStart) {
      if (terminating) return;
      const slot = slots.get(name)!;
      if (inBackOff(slot)) continue;
      // SyncPod step 7: a container that fails to start (its postStart hook included) does not stop the loop.
      await start(slot);
    }
    checkReady();
    wakeAfterBackOff();
  }

  // kubelet requeues a pod whose container waits out its back-off; the bench syncs again when the
  // back-off of an exited container runs out.
  const backOffTimers = new Map<string, NodeJS.Timeout>();
  function wakeAfterBackOff(): void {
    for (const slot of slots.values()) {
      const name = slot.container.name;
      if (slot.status.state !== 'exited' || backOffTimers.has(name) || !backOff.inBackOffFor(name, now(), slot.status)) continue;
      const wait = (slot.status.finishedAt ?? now()) + backOff.get(name) - now();
      const timer = setTimeout(
        () => {
          backOffTimers.delete(name);
          scheduleSync();
        },
        Math.max(wait, 0) + 5,
      );
      backOffTimers.set(name, timer);
      timers.push(timer);
    }
  }

  function checkReady(): void {
    if (!everReady && podReady(job.spec, runtimeMap(), probeMap())) {
      everReady = true;
      if (job.deleteAfterReadyMs !== undefined && !runsToCompletion(job.spec))
        timers.push(setTimeout(() => void finish('deleted after it became Ready', 'deleted'), job.deleteAfterReadyMs));
    }
  }

  let done!: () => void;
  const ended = new Promise<void>((r) => (done = r));

  /**
   * Ends the pod. 'deleted': a deletion, whose phase is the one before it; it can come while a sync
   * starts a container, so once that sync is over whatever it started is killed too. 'done': the sync
   * found the pod finished (the phase is the one after its sidecars are stopped).
   */
  async function finish(reason: string, how: 'deleted' | 'done'): Promise<void> {
    if (terminating) return;
    terminating = true;
    readyAtEnd = podReady(job.spec, runtimeMap(), probeMap());
    if (how === 'deleted') phaseAtEnd = podPhase(job.spec, runtimeMap(), probeMap());
    await killPod(reason);
    if (how === 'deleted') {
      await syncing;
      await killPod(reason);
    }
    if (how === 'done') phaseAtEnd = podPhase(job.spec, runtimeMap(), probeMap());
    finished = true;
    probes.stop();
    for (const t of timers) clearTimeout(t);
    done();
  }

  const deletedOnRequest = job.deleteAtMs !== undefined && job.deleteAtMs <= job.runForMs;
  timers.push(
    setTimeout(
      () => void finish(deletedOnRequest ? 'deleted' : 'deleted at the end of the run', 'deleted'),
      deletedOnRequest ? job.deleteAtMs : job.runForMs,
    ),
  );
  scheduleSync();
  await ended;

  for (const name of slots.keys()) {
    try {
      for (const line of readFileSync(join(sandbox.dir, 'self', name, 'events.jsonl'), 'utf8').split('\n'))
        if (line.trim()) events.push(JSON.parse(line) as PodEvent);
    } catch {
      // never started
    }
  }
  events.sort((a, b) => a.t - b.t);
  return { workload: job.workload, phase: phaseAtEnd ?? 'Pending', ready: readyAtEnd, events };
}
