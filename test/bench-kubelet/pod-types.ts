/**
 * The shapes the bench kubelet's parts share: the pod as the API gives it (the client's types, used for
 * their shape only), what the runtime and the prober know of each container, and the events a run
 * reports. Nothing here imports from src/: the bench judges the function's output from outside.
 */
import type { V1PodSpec } from '@kubernetes/client-node';

export type { V1PodSpec };

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** What the runtime knows of one container: kubecontainer.Status, reduced to what kubelet's rules read. */
export interface ContainerRuntimeStatus {
  readonly name: string;
  /** created: not started yet (or a start failed); running; exited. */
  readonly state: 'created' | 'running' | 'exited';
  readonly exitCode?: number;
  /** Milliseconds since the pod started. */
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /** How many times this container has been started before the current (or last) run. */
  readonly restartCount: number;
  /** Why the last start failed before the process ran (image not in the registry, bad command...). */
  readonly startError?: string;
}

/** What the prober manager knows of one container (prober/results). */
export interface ContainerProbeStatus {
  /** The startup probe has succeeded, or the container has none and is running. */
  readonly started: boolean;
  /** kubelet's container Ready: readiness succeeded (or no readinessProbe) after started. */
  readonly ready: boolean;
  /** The liveness or startup probe has reached its failureThreshold: kubelet kills the container. */
  readonly failed?: 'liveness' | 'startup';
}

/** kubelet's podActions (kuberuntime_manager.go), reduced to what the bench carries out. */
export interface PodActions {
  /** Kill every container of the pod (and, for the bench, end it: there is no sandbox to recreate). */
  readonly killPod: boolean;
  /** Init containers to start now, in order (the next regular one, or restartable ones to (re)start). */
  readonly initContainersToStart: readonly string[];
  /** Regular containers to start now, in spec order. */
  readonly containersToStart: readonly string[];
  /** Containers to kill, with kubelet's reason, e.g. "Container x failed liveness probe, will be restarted". */
  readonly containersToKill: readonly { readonly name: string; readonly reason: string; readonly cause?: KillReason }[];
}

/** kuberuntime_manager.go containerKillReason: why kubelet kills a container; it picks the grace period. */
export type KillReason = 'StartupProbe' | 'LivenessProbe' | 'FailedPostStartHook' | 'Unknown';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export type EventKind = 'started' | 'ready' | 'exited' | 'restarted' | 'killed' | 'hook-failed' | 'probe-failed' | 'violation';

/** One line of a pod's timeline; `t` in milliseconds from the pod's start. */
export interface PodEvent {
  readonly t: number;
  readonly container: string;
  readonly event: EventKind;
  readonly code?: number;
  readonly detail?: string;
}

export interface PodReport {
  /** Kind/namespace/name of the workload the pod template came from. */
  readonly workload: string;
  readonly phase: PodPhase;
  readonly ready: boolean;
  readonly events: readonly PodEvent[];
}
