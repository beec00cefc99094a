import type { V1Container, V1Probe, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { OrderEdge } from '../order/graph.js';
import type { Edit, Path } from '../resource-list/edit.js';
import { HELPER_CONTAINER, helperContainer } from '../runtime/helper.js';

/** The mechanisms the planner writes. */
export type CompiledStrategy = 'native' | 'postStart' | 'entrypoint';

/** What the planner decided for one pod template, before anything is written. */
export interface PodPlan {
  readonly strategy: CompiledStrategy;
  /** Edits relative to the pod template (its metadata and spec). */
  readonly edits: readonly Edit[];
  /** The start order it realises, for results and the applied annotation: `proxy(ready) -> app`. */
  readonly startOrder: string;
  readonly problems: readonly PlanProblem[];
  /** Parts of the declaration this pod has no container for; skipped. */
  readonly notes: readonly PlanProblem[];
  /** What the strategy cannot give (stop order, Job completion under postStart). */
  readonly warnings: readonly PlanProblem[];
  /** Why `auto` chose a strategy other than the cluster's default, when it did. */
  readonly fallbackReason?: string;
}

export interface PlanProblem {
  readonly message: string;
  /** Relative to the pod template. */
  readonly field?: string;
  /** A limit of this strategy that the entrypoint strategy does not have: `auto` may switch. */
  readonly entrypointCan?: true;
}

export interface PodSpecView {
  readonly containers: V1Container[];
  readonly initContainers?: V1Container[] | null;
  readonly volumes?: V1Volume[] | null;
  readonly restartPolicy?: string;
  readonly terminationGracePeriodSeconds?: number;
}

/** The restartPolicy of a pod that runs to completion (a Job's): its sidecars must stop when the work is done. */
export function runsToCompletion(podSpec: PodSpecView): 'Never' | 'OnFailure' | undefined {
  return podSpec.restartPolicy === 'Never' || podSpec.restartPolicy === 'OnFailure' ? podSpec.restartPolicy : undefined;
}

/** How results name the pods of a workload: "this Job's pods", or "this pod" for a bare Pod. */
export function podsOf(workloadKind: string): string {
  return workloadKind === 'Pod' ? 'this pod' : `this ${workloadKind}'s pods`;
}

/** True when a container's command (or hook) is already exactly `wanted`: nothing to write. */
export function sameCommand(current: readonly string[] | undefined | null, wanted: readonly string[] | undefined): boolean {
  return current !== undefined && current !== null && wanted !== undefined && JSON.stringify(current) === JSON.stringify(wanted);
}

/** Kahn's algorithm, taking the lowest `rank` among the ready nodes: stable where edges allow. */
export function topologicalOrder(names: readonly string[], edges: readonly OrderEdge[], rank: (name: string) => number): string[] {
  const inside = new Set(names);
  const relevant = edges.filter((e) => inside.has(e.from) && inside.has(e.to));
  const waiting = new Map(names.map((n) => [n, relevant.filter((e) => e.to === n).length]));
  const order: string[] = [];
  while (order.length < names.length) {
    const next = names.filter((n) => waiting.get(n) === 0 && !order.includes(n)).sort((a, b) => rank(a) - rank(b))[0];
    if (next === undefined) throw new Error('cycle in an order graph that was checked for cycles');
    order.push(next);
    for (const e of relevant) if (e.from === next) waiting.set(e.to, waiting.get(e.to)! - 1);
  }
  return order;
}

/**
 * The moves that turn the list at `path`, holding `current` (by name), into `final`, one position at a
 * time from the front; each move's indices are those of the list as the moves before it left it.
 */
export function reorderEdits(path: Path, current: readonly string[], final: readonly string[]): Edit[] {
  const now = [...current];
  const edits: Edit[] = [];
  final.forEach((name, position) => {
    const at = now.indexOf(name);
    if (at === position) return;
    edits.push({ op: 'move', from: path, fromIndex: at, to: path, toIndex: position });
    now.splice(at, 1);
    now.splice(position, 0, name);
  });
  return edits;
}

/**
 * kubelet starts the next container once a restartable init container's startupProbe succeeds; it
 * ignores readiness there. Probing every second for `timeoutSeconds` tries keeps the wait short and
 * bounded by the configured timeout.
 */
export function startupProbeFrom(readiness: V1Probe, timeoutSeconds: number): V1Probe {
  const { exec, grpc, httpGet, tcpSocket, initialDelaySeconds, timeoutSeconds: probeTimeout } = readiness;
  return {
    ...(exec ? { exec } : {}),
    ...(grpc ? { grpc } : {}),
    ...(httpGet ? { httpGet } : {}),
    ...(tcpSocket ? { tcpSocket } : {}),
    ...(initialDelaySeconds !== undefined ? { initialDelaySeconds } : {}),
    ...(probeTimeout !== undefined ? { timeoutSeconds: probeTimeout } : {}),
    periodSeconds: 1,
    failureThreshold: timeoutSeconds,
  };
}

/**
 * Mounts the helper's volumes into the main containers at `positions` (after any reorder), adds the
 * volumes, and puts the helper init container first in line. The helper goes in last so that no
 * position an earlier edit used moves.
 */
export function helperEdits(
  podSpec: PodSpecView,
  mounts: readonly { readonly position: number; readonly container: V1Container }[],
  volumes: readonly { readonly volume: V1Volume; readonly mount: V1VolumeMount }[],
  helperImage: string,
): Edit[] {
  const edits: Edit[] = [];
  for (const { position, container } of mounts) {
    const present = container.volumeMounts ?? [];
    const missing = volumes.filter(({ volume }) => !present.some((m) => m.name === volume.name));
    missing.forEach(({ mount }, i) => {
      const path: Path = ['spec', 'containers', position, 'volumeMounts'];
      edits.push({ op: 'insert', path, index: present.length + i, value: mount });
    });
  }
  const existing = podSpec.volumes ?? [];
  volumes
    .filter(({ volume }) => !existing.some((v) => v.name === volume.name))
    .forEach(({ volume }, i) => edits.push({ op: 'insert', path: ['spec', 'volumes'], index: existing.length + i, value: volume }));
  if (!(podSpec.initContainers ?? []).some((c) => c.name === HELPER_CONTAINER)) {
    edits.push({ op: 'insert', path: ['spec', 'initContainers'], index: 0, value: helperContainer(helperImage), before: ['containers'] });
  }
  return edits;
}
