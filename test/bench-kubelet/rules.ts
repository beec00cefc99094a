/**
 * kubelet's decision rules, as pure functions: what to start, kill and restart on each sync, the pod's
 * phase and Ready condition, the container restart back-off, and the order and grace of termination.
 * Each function is a port of the kubernetes/kubernetes function it names, read from the SidecarContainers
 * (GA in 1.33) code of kubelet 1.31-1.34:
 *
 * - pkg/kubelet/kuberuntime/kuberuntime_manager.go (computePodActions, SyncPod, doBackOff),
 * - pkg/kubelet/kuberuntime/kuberuntime_container.go (computeInitContainerActions, startContainer,
 *   killContainer, killContainersWithSyncResult, setTerminationGracePeriod),
 * - pkg/kubelet/kuberuntime/kuberuntime_termination_order.go (newTerminationOrdering, waitForTurn),
 * - pkg/kubelet/container/helpers.go (ShouldContainerBeRestarted),
 * - pkg/kubelet/kubelet_pods.go (getPhase, convertToAPIContainerStatuses),
 * - pkg/kubelet/status/generate.go (GenerateContainersReadyCondition, GeneratePodReadyCondition),
 * - pkg/kubelet/prober/prober_manager.go (isContainerStarted, UpdatePodStatus),
 * - staging/src/k8s.io/client-go/util/flowcontrol/backoff.go (Backoff).
 *
 * No I/O and no timers here: the sync loop that calls these owns time and processes.
 */
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import type { ContainerProbeStatus, ContainerRuntimeStatus, KillReason, PodActions, PodPhase, RestartPolicy } from './pod-types.js';

/** kuberuntime_manager.go: "A minimal shutdown window for avoiding unnecessary SIGKILLs". */
const MINIMUM_GRACE_PERIOD_SECONDS = 2;
/** pkg/apis/core/v1/defaults.go SetDefaults_PodSpec: v1.DefaultTerminationGracePeriodSeconds. */
const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/** kubelet.go: backOffPeriod (initialCrashLoopBackOff) and MaxContainerBackOff (MaxCrashLoopBackOff). */
const CRASH_LOOP_BACKOFF_INITIAL_MS = 10_000;
const CRASH_LOOP_BACKOFF_MAX_MS = 300_000;

/** pkg/api/v1/pod/util.go IsRestartableInitContainer: an init container with restartPolicy Always (a sidecar). */
export function isRestartableInit(c: V1Container): boolean {
  return c.restartPolicy === 'Always';
}

/** The pod's restartPolicy as the API server defaults it (defaults.go SetDefaults_PodSpec: Always). */
function podRestartPolicy(spec: V1PodSpec): RestartPolicy {
  return (spec.restartPolicy as RestartPolicy | undefined) ?? 'Always';
}

/** A pod whose containers are not restarted once they succeed (Never, OnFailure: a Job's) runs to completion. */
export function runsToCompletion(spec: V1PodSpec): boolean {
  return podRestartPolicy(spec) !== 'Always';
}

/** kuberuntime_manager.go shouldRestartOnFailure. */
function shouldRestartOnFailure(policy: RestartPolicy): boolean {
  return policy !== 'Never';
}

/**
 * container/helpers.go ShouldContainerBeRestarted: never started (no status) → start; running → no;
 * created (a start that failed before the process ran) → start again; exited → by the pod's policy
 * (Never: no; OnFailure: only after a non-zero exit; Always: yes). A restartable init container that
 * exited is always restarted whatever the pod's policy (kuberuntime_container.go
 * computeInitContainerActions, case ContainerStateExited), unless the pod is being torn down, which
 * computePodActions decides. The DeletionTimestamp check is `podDeleted`.
 */
export function shouldContainerBeRestarted(
  container: V1Container,
  policy: RestartPolicy,
  status: ContainerRuntimeStatus | undefined,
  podDeleted = false,
): boolean {
  if (podDeleted) return false;
  if (status === undefined) return true;
  if (status.state === 'running') return false;
  if (status.state === 'created') return true;
  if (isRestartableInit(container)) return true;
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && (status.exitCode ?? 0) === 0) return false;
  return true;
}

/** kuberuntime/helpers.go isInitContainerFailed: exited non-zero (kubecontainer.Status.ExitCode is 0 when unset). */
function isInitContainerFailed(status: ContainerRuntimeStatus): boolean {
  return status.state === 'exited' && (status.exitCode ?? 0) !== 0;
}

/** What the prober knows of a container, with kubelet's defaults when the prober has no entry for it. */
function probeStatusOf(
  c: V1Container,
  running: boolean,
  probes: ReadonlyMap<string, ContainerProbeStatus> | undefined,
): ContainerProbeStatus {
  const p = probes?.get(c.name);
  if (p !== undefined) return p;
  // prober_manager.go isContainerStarted / UpdatePodStatus: no startupProbe → started once running;
  // no readinessProbe → ready once started. A probe that has not run yet leaves it false.
  const started = running && c.startupProbe === undefined;
  return { started, ready: started && c.readinessProbe === undefined };
}

interface MutableActions {
  killPod: boolean;
  initContainersToStart: number[];
  containersToStart: number[];
  containersToKill: { name: string; reason: string; cause: KillReason }[];
}

/**
 * kuberuntime_container.go computeInitContainerActions (the SidecarContainers version): walks the init
 * containers backwards to find the last one that has run, starts the next, keeps restartable ones
 * running, and reports whether the pod has been initialized. Regular init containers run one at a time;
 * a restartable one lets the next start as soon as it is Running and its startupProbe (if any) has
 * succeeded; a failed regular init container kills the pod when the policy is Never.
 */
function computeInitContainerActions(
  spec: V1PodSpec,
  runtime: ReadonlyMap<string, ContainerRuntimeStatus>,
  probes: ReadonlyMap<string, ContainerProbeStatus>,
  changes: MutableActions,
): boolean {
  const inits = spec.initContainers ?? [];
  if (inits.length === 0) return true;

  // Any regular container created or running means initialization happened before (an exited one does
  // not: kubelet cannot tell it from a previous sandbox's).
  let podHasInitialized = spec.containers.some((c) => {
    const s = runtime.get(c.name);
    return s !== undefined && (s.state === 'created' || s.state === 'running');
  });
  let isPreviouslyInitialized = podHasInitialized;
  const restartOnFailure = shouldRestartOnFailure(podRestartPolicy(spec));

  for (let i = inits.length - 1; i >= 0; i--) {
    const c = inits[i]!;
    const status = runtime.get(c.name);
    const restartable = isRestartableInit(c);
    if (status === undefined) {
      // Its status is gone after initialization: only a restartable one is started again.
      if (isPreviouslyInitialized && restartable) changes.initContainersToStart.push(i);
      continue;
    }
    // After initialization only restartable init containers are kept running.
    if (isPreviouslyInitialized && !restartable) continue;

    switch (status.state) {
      case 'created':
        // "it is likely that the container runtime failed to start it": start it again.
        changes.initContainersToStart.push(i);
        break;
      case 'running': {
        if (!restartable) break; // a regular init container: wait for it to finish
        const probe = probeStatusOf(c, true, probes);
        if (c.startupProbe !== undefined && !probe.started) {
          if (probe.failed === 'startup') {
            changes.containersToKill.push({ name: c.name, reason: `Init container ${c.name} failed startup probe`, cause: 'StartupProbe' });
            changes.initContainersToStart.push(i);
          }
          break; // startup probe not succeeded yet: the next init container waits
        }
        if (i === inits.length - 1) podHasInitialized = true;
        else if (!isPreviouslyInitialized) changes.initContainersToStart.push(i + 1); // first time started: start the next
        // (containerChanged: the bench never edits a running pod's spec.)
        // "A restartable init container does not have to take into account its liveness probe when it
        // determines to start the next init container."
        if (c.livenessProbe !== undefined && probe.failed === 'liveness') {
          changes.containersToKill.push({ name: c.name, reason: `Init container ${c.name} failed liveness probe`, cause: 'LivenessProbe' });
          changes.initContainersToStart.push(i);
        }
        break;
      }
      case 'exited':
        if (restartable) {
          changes.initContainersToStart.push(i);
        } else if (isInitContainerFailed(status)) {
          if (!restartOnFailure) {
            changes.killPod = true;
            changes.initContainersToStart = [];
            return false;
          }
          changes.initContainersToStart.push(i);
        } else if (i === inits.length - 1) {
          podHasInitialized = true;
        } else {
          changes.initContainersToStart.push(i + 1);
        }
        break;
    }
    isPreviouslyInitialized = true;
  }
  // No init container has run yet: start the first.
  if (!isPreviouslyInitialized) changes.initContainersToStart.push(0);
  // Found backwards; started in spec order.
  changes.initContainersToStart.reverse();
  return podHasInitialized;
}

/**
 * kuberuntime_manager.go computePodActions (SidecarContainers path, handleRestartableInitContainers),
 * then SyncPod's start loop for back-off. The sandbox is never recreated on the bench (its network and
 * namespaces outlive every container), so PodSandboxChanged and the CreateSandbox branch are left out;
 * ephemeral containers, in-place resize and containerChanged (spec edits) too.
 *
 * Back-off is applied as SyncPod's start() applies it (doBackOff before each start), after the actions
 * are computed: a container in back-off still counts as "to start", so it keeps the pod from being
 * killed, but is not started this sync. In the init list a regular init container in back-off also
 * stops every later start of the sync (SyncPod step 6 returns), a restartable one is just skipped.
 *
 * When killPod is true the sync loop kills every running container (killPodWithSyncResult, in
 * terminationOrder) and ignores containersToKill, as SyncPod step 2 does.
 *
 * Call it only while podPhase is not Succeeded/Failed: kubelet.go SyncPod returns before the runtime's
 * SyncPod once the phase is terminal. That check is what ends a Job-like pod: after its sidecars are
 * killed no regular container is created or running, so computeInitContainerActions alone would take
 * the pod for uninitialized and start the sidecars again.
 */
export function computePodActions(
  spec: V1PodSpec,
  runtime: ReadonlyMap<string, ContainerRuntimeStatus>,
  probes: ReadonlyMap<string, ContainerProbeStatus>,
  inBackOff: (name: string) => boolean,
): PodActions {
  const policy = podRestartPolicy(spec);
  const changes: MutableActions = { killPod: false, initContainersToStart: [], containersToStart: [], containersToKill: [] };

  const hasInitialized = computeInitContainerActions(spec, runtime, probes, changes);
  if (changes.killPod || !hasInitialized) return withBackOff(spec, changes, inBackOff);

  let keepCount = 0;
  spec.containers.forEach((c, idx) => {
    const status = runtime.get(c.name);
    if (status === undefined || status.state !== 'running') {
      if (shouldContainerBeRestarted(c, policy, status)) changes.containersToStart.push(idx);
      return;
    }
    // Running: kill it when liveness (checked first) or startup has failed.
    const restart = shouldRestartOnFailure(policy);
    const failed = probeStatusOf(c, true, probes).failed;
    let message: string;
    let cause: KillReason;
    if (failed === 'liveness') {
      message = `Container ${c.name} failed liveness probe`;
      cause = 'LivenessProbe';
    } else if (failed === 'startup') {
      message = `Container ${c.name} failed startup probe`;
      cause = 'StartupProbe';
    } else {
      keepCount++;
      return;
    }
    if (restart) {
      message = `${message}, will be restarted`;
      changes.containersToStart.push(idx);
    }
    changes.containersToKill.push({ name: c.name, reason: message, cause });
  });

  if (keepCount === 0 && changes.containersToStart.length === 0) {
    changes.killPod = true;
    // "To prevent the restartable init containers to keep pod alive, we should not restart them."
    changes.initContainersToStart = [];
  }
  return withBackOff(spec, changes, inBackOff);
}

/** kuberuntime_manager.go SyncPod steps 6 and 8: start() fails for a container in back-off (doBackOff). */
function withBackOff(spec: V1PodSpec, changes: MutableActions, inBackOff: (name: string) => boolean): PodActions {
  const inits = spec.initContainers ?? [];
  const initContainersToStart: string[] = [];
  let aborted = false;
  for (const idx of changes.initContainersToStart) {
    const c = inits[idx]!;
    if (inBackOff(c.name)) {
      if (isRestartableInit(c)) continue; // "Failed to start the restartable init container for the pod, skipping"
      aborted = true; // "Failed to initialize the pod, as the init container failed to start, aborting"
      break;
    }
    initContainersToStart.push(c.name);
  }
  const containersToStart = aborted ? [] : changes.containersToStart.map((idx) => spec.containers[idx]!.name).filter((n) => !inBackOff(n));
  return { killPod: changes.killPod, initContainersToStart, containersToStart, containersToKill: changes.containersToKill };
}

// ---------------------------------------------------------------------------------------------------
// Phase and readiness

/** The API's view of one container (kubelet_pods.go convertToAPIContainerStatuses), reduced to what getPhase reads. */
interface ApiState {
  readonly state: 'waiting' | 'running' | 'terminated';
  readonly exitCode: number;
  /** Waiting with a LastTerminationState: it ran before. */
  readonly lastTerminated: boolean;
  readonly started: boolean;
}

/**
 * kubelet_pods.go convertToAPIContainerStatuses: every container of the spec has a status, the default
 * one Waiting (ContainerCreating/PodInitializing); created → Waiting, with the previous run as
 * LastTerminationState when there was one; running → Running; exited → Terminated. (A container that
 * will be restarted shows Waiting/CrashLoopBackOff only once a start was refused, which getPhase counts
 * as it counts Terminated: stopped.)
 */
function apiState(
  c: V1Container,
  s: ContainerRuntimeStatus | undefined,
  probes: ReadonlyMap<string, ContainerProbeStatus> | undefined,
): ApiState {
  if (s === undefined) return { state: 'waiting', exitCode: 0, lastTerminated: false, started: false };
  switch (s.state) {
    case 'created':
      return { state: 'waiting', exitCode: 0, lastTerminated: s.restartCount > 0, started: false };
    case 'running':
      return { state: 'running', exitCode: 0, lastTerminated: false, started: probeStatusOf(c, true, probes).started };
    case 'exited':
      return { state: 'terminated', exitCode: s.exitCode ?? 0, lastTerminated: false, started: false };
  }
}

/**
 * kubelet_pods.go getPhase (SidecarContainers version, kubelet 1.29-1.33): Pending while a regular init
 * container has not succeeded or a restartable one is not started yet (unless a regular container has
 * already run); Running once a container runs; Succeeded/Failed when every regular container has
 * stopped and will not restart (OnFailure/Never), or when `podIsTerminal` (the pod is being torn down).
 * Exited restartable init containers are not counted: a Job-like pod whose sidecars were killed
 * (non-zero) after its main containers succeeded is Succeeded.
 *
 * `probes` gives the started state of restartable init containers (prober_manager.go
 * isContainerStarted); without it, a running one counts as started unless it has a startupProbe.
 */
export function podPhase(
  spec: V1PodSpec,
  runtime: ReadonlyMap<string, ContainerRuntimeStatus>,
  probes?: ReadonlyMap<string, ContainerProbeStatus>,
  podIsTerminal = false,
): PodPhase {
  const policy = podRestartPolicy(spec);
  const inits = spec.initContainers ?? [];
  let pendingInitialization = 0;
  let failedInitialization = 0;

  // regular init containers
  for (const c of inits) {
    if (isRestartableInit(c)) continue;
    const s = apiState(c, runtime.get(c.name), probes);
    if (s.state === 'running') pendingInitialization++;
    else if (s.state === 'terminated') {
      if (s.exitCode !== 0) failedInitialization++;
    } else if (s.lastTerminated) {
      // Waiting after a previous run: that run failed, or it would not be restarted.
      failedInitialization++;
    } else pendingInitialization++;
  }

  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  // restartable init containers: a terminated one does not count
  for (const c of inits) {
    if (!isRestartableInit(c)) continue;
    const s = apiState(c, runtime.get(c.name), probes);
    if (s.state === 'running') {
      if (!s.started) pendingInitialization++;
      running++;
    } else if (s.state === 'waiting' && !s.lastTerminated) {
      pendingInitialization++;
      waiting++;
    }
  }
  for (const c of spec.containers) {
    const s = apiState(c, runtime.get(c.name), probes);
    if (s.state === 'running') running++;
    else if (s.state === 'terminated') {
      stopped++;
      if (s.exitCode === 0) succeeded++;
    } else if (s.lastTerminated) stopped++;
    else waiting++;
  }

  if (failedInitialization > 0 && policy === 'Never') return 'Failed';

  // container/helpers.go HasAnyRegularContainerStarted: a regular container is Running or Terminated.
  const anyRegularStarted = spec.containers.some((c) => {
    const s = runtime.get(c.name);
    return s !== undefined && (s.state === 'running' || s.state === 'exited');
  });
  // (unknown is always 0 on the bench: the API status lists every container of the spec.)
  if ((pendingInitialization > 0 && !anyRegularStarted) || waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running'; // all restarting
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running'; // OnFailure, at least one failed and restarting
  }
  return 'Pending';
}

/**
 * status/generate.go GeneratePodReadyCondition over GenerateContainersReadyCondition: the pod is Ready
 * when every restartable init container and every regular container is ready (a regular init container
 * does not count), the phase is not Succeeded/Failed, and every readiness gate's condition is True.
 * Nothing sets custom conditions on the bench, so a pod with readinessGates is never Ready.
 *
 * A container is ready (prober_manager.go UpdatePodStatus) when it is running, started, and its
 * readinessProbe has succeeded (or it has none): `probes.get(name).ready`.
 */
export function podReady(
  spec: V1PodSpec,
  runtime: ReadonlyMap<string, ContainerRuntimeStatus>,
  probes: ReadonlyMap<string, ContainerProbeStatus>,
  podIsTerminal = false,
): boolean {
  const phase = podPhase(spec, runtime, probes, podIsTerminal);
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const counted = [...(spec.initContainers ?? []).filter(isRestartableInit), ...spec.containers];
  for (const c of counted) {
    const s = runtime.get(c.name);
    const running = s?.state === 'running';
    if (!running || !probeStatusOf(c, running, probes).ready) return false;
  }
  return (spec.readinessGates ?? []).length === 0;
}

// ---------------------------------------------------------------------------------------------------
// Back-off

/** Go's time.Duration.String, for kubelet's "back-off 20s restarting failed container" messages. */
function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${Number(ms.toFixed(3))}ms`;
  const totalS = ms / 1000;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS - h * 3600) / 60);
  const s = Number((totalS - h * 3600 - m * 60).toFixed(3));
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/**
 * doBackOff looks for the container's latest Exited status: the current one when exited, else the
 * previous run's (a 'created' status after a restart whose start failed), when the runtime kept its end.
 */
function lastFinishedAt(status: ContainerRuntimeStatus | undefined): number | undefined {
  if (status === undefined) return undefined;
  if (status.state === 'exited') return status.finishedAt;
  if (status.state === 'created' && status.restartCount > 0) return status.finishedAt;
  return undefined;
}

/**
 * client-go util/flowcontrol/backoff.go Backoff as kubelet uses it for CrashLoopBackOff
 * (flowcontrol.NewBackOff(10s, 300s), no jitter), keyed by container name (kubelet keys by
 * GetStableKey(pod, container); one BackOff per pod here).
 *
 * The bench compresses time: every duration (initial 10 s, max 300 s, the 2×max after which an entry
 * is stale) is multiplied by `scale`, e.g. 0.01 makes the steps 100 ms, 200 ms, ... 3 s.
 *
 * Times are milliseconds on one clock (the bench's: since the pod started). As in kubelet the clock
 * starts at the container's finishedAt: a restart is held while now - finishedAt < the current delay.
 * There is no entry until the first restart, so the first restart after a crash is immediate; the
 * delay then doubles per restart (10 s, 20 s, 40 s, ... 300 s) and starts over once the container has
 * run longer than 2×max since the last restart.
 */
export class BackOff {
  readonly initialMs: number;
  readonly maxMs: number;
  private readonly entries = new Map<string, { backoffMs: number; lastUpdateMs: number }>();

  constructor(readonly scale = 1) {
    this.initialMs = CRASH_LOOP_BACKOFF_INITIAL_MS * scale;
    this.maxMs = CRASH_LOOP_BACKOFF_MAX_MS * scale;
  }

  /** backoff.go hasExpired: "consider stable if it's ok for twice the maxDuration". */
  private hasExpired(eventMs: number, lastUpdateMs: number): boolean {
    return eventMs - lastUpdateMs > this.maxMs * 2;
  }

  /** backoff.go Get: the current delay, 0 when there is none. */
  get(name: string): number {
    return this.entries.get(name)?.backoffMs ?? 0;
  }

  /**
   * backoff.go Next(id, eventTime): record a restart made at `nowMs` of a container that finished at
   * `lastFinishedMs`; returns the new delay. Stale or missing entry → initial, else double, capped.
   */
  next(name: string, nowMs: number, lastFinishedMs = nowMs): number {
    const entry = this.entries.get(name);
    if (entry === undefined || this.hasExpired(lastFinishedMs, entry.lastUpdateMs)) {
      this.entries.set(name, { backoffMs: this.initialMs, lastUpdateMs: nowMs });
      return this.initialMs;
    }
    entry.backoffMs = Math.min(entry.backoffMs * 2, this.maxMs);
    entry.lastUpdateMs = nowMs;
    return entry.backoffMs;
  }

  /** backoff.go IsInBackOffSince(id, eventTime = the container's finishedAt). */
  isInBackOff(name: string, nowMs: number, lastFinishedMs: number): boolean {
    const entry = this.entries.get(name);
    if (entry === undefined) return false;
    if (this.hasExpired(lastFinishedMs, entry.lastUpdateMs)) return false;
    return nowMs - lastFinishedMs < entry.backoffMs;
  }

  /**
   * kuberuntime_manager.go doBackOff, called by SyncPod's start() right before starting a container:
   * only a container with an exited run is subject to back-off; when not in back-off the restart is
   * recorded (Next). `status` is the container's runtime status; its finishedAt is that of the latest
   * exited run (for a 'created' status, the previous run's, when the runtime keeps it).
   */
  doBackOff(
    name: string,
    nowMs: number,
    status: ContainerRuntimeStatus | undefined,
    podName = 'pod',
  ): { inBackOff: boolean; message?: string } {
    const finishedAt = lastFinishedAt(status);
    if (finishedAt === undefined) return { inBackOff: false };
    if (this.isInBackOff(name, nowMs, finishedAt)) {
      return { inBackOff: true, message: `back-off ${goDuration(this.get(name))} restarting failed container=${name} pod=${podName}` };
    }
    this.next(name, nowMs, finishedAt);
    return { inBackOff: false };
  }

  /** The predicate computePodActions takes: doBackOff's test without recording anything. */
  inBackOffFor(name: string, nowMs: number, status: ContainerRuntimeStatus | undefined): boolean {
    const finishedAt = lastFinishedAt(status);
    return finishedAt !== undefined && this.isInBackOff(name, nowMs, finishedAt);
  }

  /** backoff.go GC: drop entries not updated for 2×max (kubelet calls it from HandlePodCleanups). */
  gc(nowMs: number): void {
    for (const [name, e] of this.entries) if (nowMs - e.lastUpdateMs > this.maxMs * 2) this.entries.delete(name);
  }

  /** backoff.go Reset. */
  reset(name: string): void {
    this.entries.delete(name);
  }
}

// ---------------------------------------------------------------------------------------------------
// Termination

/**
 * kuberuntime_termination_order.go newTerminationOrdering: when the pod is killed every running
 * container is killed at once (killContainersWithSyncResult, one goroutine each), but a restartable init
 * container waits (waitForTurn) for every running regular container and for the next later restartable
 * init container to exit before it is stopped. `after` lists exactly those prerequisites among the
 * running containers; the chain makes sidecars stop in reverse order. A prerequisite that is not
 * running counts as already exited (its channel is pre-closed), so the chain is cut there: with
 * sidecars s1, s2, s3 and s2 not running, s1 and s3 both only wait for the regular containers.
 * Regular init containers (running when the pod is killed during init) and regular containers wait for
 * nothing. Without any restartable init container kubelet uses no ordering at all (same result).
 *
 * The wait only delays the stop signal: killContainer runs a sidecar's preStop hook *before* waiting for
 * its turn, so every preStop hook starts at once.
 *
 * Entries: regular containers in spec order, then restartable init containers last to first.
 */
export function terminationOrder(spec: V1PodSpec, running: readonly string[]): { name: string; after: string[] }[] {
  const isRunning = new Set(running);
  const runningMains = spec.containers.map((c) => c.name).filter((n) => isRunning.has(n));
  const out: { name: string; after: string[] }[] = runningMains.map((name) => ({ name, after: [] }));
  const inits = spec.initContainers ?? [];
  let laterSidecar: string | undefined;
  for (let i = inits.length - 1; i >= 0; i--) {
    const c = inits[i]!;
    if (isRestartableInit(c)) {
      const after = [...runningMains];
      if (laterSidecar !== undefined && isRunning.has(laterSidecar)) after.push(laterSidecar);
      if (isRunning.has(c.name)) out.push({ name: c.name, after });
      laterSidecar = c.name;
    } else if (isRunning.has(c.name)) {
      out.push({ name: c.name, after: [] });
    }
  }
  return out;
}

/**
 * kuberuntime_container.go setTerminationGracePeriod plus killContainer's gracePeriodOverride: the
 * seconds a container gets, preStop included. The pod's DeletionGracePeriodSeconds when it is being
 * deleted; else terminationGracePeriodSeconds (API default 30), replaced by the probe's own
 * terminationGracePeriodSeconds when the kill is for that failed startup/liveness probe; a
 * gracePeriodOverride (eviction, hard kill) wins over all.
 */
function terminationGracePeriodSeconds(
  spec: V1PodSpec,
  containerName: string,
  reason: KillReason = 'Unknown',
  opts: { readonly deletionGracePeriodSeconds?: number; readonly gracePeriodOverride?: number } = {},
): number {
  if (opts.gracePeriodOverride !== undefined) return opts.gracePeriodOverride;
  if (opts.deletionGracePeriodSeconds !== undefined) return opts.deletionGracePeriodSeconds;
  const c = [...spec.containers, ...(spec.initContainers ?? [])].find((x) => x.name === containerName);
  if (reason === 'StartupProbe' && c?.startupProbe?.terminationGracePeriodSeconds !== undefined)
    return c.startupProbe.terminationGracePeriodSeconds;
  if (reason === 'LivenessProbe' && c?.livenessProbe?.terminationGracePeriodSeconds !== undefined)
    return c.livenessProbe.terminationGracePeriodSeconds;
  return spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
}

/**
 * terminationGracePeriodSeconds for a container and a reason given either as a KillReason or as the
 * message of containersToKill ("Container x failed liveness probe, will be restarted").
 */
export function gracePeriodOf(
  spec: V1PodSpec,
  container: V1Container | string,
  reason: string = 'Unknown',
  opts: { readonly deletionGracePeriodSeconds?: number; readonly gracePeriodOverride?: number } = {},
): number {
  const name = typeof container === 'string' ? container : container.name;
  const kind: KillReason =
    reason === 'StartupProbe' || reason === 'LivenessProbe' || reason === 'FailedPostStartHook'
      ? reason
      : /failed liveness probe/.test(reason)
        ? 'LivenessProbe'
        : /failed startup probe/.test(reason)
          ? 'StartupProbe'
          : 'Unknown';
  return terminationGracePeriodSeconds(spec, name, kind, opts);
}

/**
 * kuberuntime_container.go killContainer, the arithmetic of its grace period, step by step as the sync
 * loop carries it out:
 *
 * 1. the preStop hook (if any) runs only when grace > 0, and kubelet waits for it at most `grace`
 *    seconds (executePreStopHook); the seconds it took, truncated, are taken off the grace;
 * 2. a restartable init container then waits for its turn (terminationOrder) at most the remaining
 *    grace, when > 0; the seconds waited, truncated, are taken off too;
 * 3. the runtime gets at least MINIMUM_GRACE_PERIOD_SECONDS between the stop signal and SIGKILL, even
 *    when preStop or the wait used it all up.
 *
 * Returns the seconds to pass to StopContainer (stop signal, then SIGKILL after that long).
 */
export function stopGraceSeconds(graceSeconds: number, preStopElapsedMs?: number, waitedForTurnMs?: number): number {
  let grace = graceSeconds;
  if (preStopElapsedMs !== undefined && grace > 0) grace -= Math.trunc(Math.min(preStopElapsedMs, grace * 1000) / 1000);
  if (waitedForTurnMs !== undefined && grace > 0) grace -= Math.trunc(Math.min(waitedForTurnMs, grace * 1000) / 1000);
  return Math.max(grace, MINIMUM_GRACE_PERIOD_SECONDS);
}

/**
 * killContainer: the preStop hook runs only when the container has one and the grace period is above 0
 * (terminationGracePeriodSeconds: 0 skips it), and kubelet waits for it at most the grace period.
 */
export function runsPreStop(container: V1Container, graceSeconds: number): boolean {
  return container.lifecycle?.preStop !== undefined && graceSeconds > 0;
}
