import type { V1Container, V1Probe } from '@kubernetes/client-node';
import type { OrderSpec, Sidecar } from '../config/order-spec.js';
import type { Edit, Path } from '../resource-list/edit.js';

/** What the planner decided for one pod template, before anything is written. */
export interface PodPlan {
  /** Edits relative to the pod template (its metadata and spec). */
  readonly edits: readonly Edit[];
  /** The start order it realises, for results and the applied annotation: `proxy(ready) -> app`. */
  readonly startOrder: string;
  readonly problems: readonly PlanProblem[];
  readonly notes: readonly PlanProblem[];
}

export interface PlanProblem {
  readonly message: string;
  /** Relative to the pod template. */
  readonly field?: string;
}

interface Slot {
  readonly name: string;
  readonly container: V1Container;
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
 * Native sidecars (Kubernetes ≥ 1.29): each sidecar becomes an init container with `restartPolicy:
 * Always`, after the regular init containers (which ran before it when it was a main container), so it
 * starts before the main containers, and is stopped after them in reverse order.
 */
export function planNativeSidecars(spec: OrderSpec, podSpec: { containers: V1Container[]; initContainers?: V1Container[] | null }): PodPlan {
  const containers: Slot[] = podSpec.containers.map((c) => ({ name: c.name, container: c }));
  const inits: Slot[] = (podSpec.initContainers ?? []).map((c) => ({ name: c.name, container: c }));
  const edits: Edit[] = [];
  const problems: PlanProblem[] = [];
  const notes: PlanProblem[] = [];
  const startedSidecars: { sidecar: Sidecar }[] = [];
  const containersPath: Path = ['spec', 'containers'];
  const initsPath: Path = ['spec', 'initContainers'];

  for (const sidecar of spec.sidecars) {
    const mainIndex = containers.findIndex((s) => s.name === sidecar.name);
    const initIndex = inits.findIndex((s) => s.name === sidecar.name);
    if (mainIndex < 0 && initIndex < 0) {
      notes.push({ message: `sidecar ${sidecar.name} is not a container of this pod; skipped` });
      continue;
    }
    const container = (mainIndex >= 0 ? containers[mainIndex] : inits[initIndex])!.container;
    const where = mainIndex >= 0 ? `spec.containers[${mainIndex}]` : `spec.initContainers[${initIndex}]`;
    if (sidecar.waitFor === 'Ready' && !container.startupProbe && !container.readinessProbe) {
      problems.push({
        message: `sidecar ${sidecar.name} must be Ready before the others start, but it has no readinessProbe or startupProbe to tell; add one, or set waitFor: Started`,
        field: `${where}.readinessProbe`,
      });
      continue;
    }
    let at: number;
    if (mainIndex >= 0) {
      at = inits.length;
      edits.push({ op: 'move', from: containersPath, fromIndex: mainIndex, to: initsPath, toIndex: at });
      inits.splice(at, 0, containers.splice(mainIndex, 1)[0]!);
    } else {
      at = initIndex;
    }
    if (container.restartPolicy !== 'Always') edits.push({ op: 'set', path: [...initsPath, at, 'restartPolicy'], value: 'Always' });
    if (sidecar.waitFor === 'Ready' && !container.startupProbe) {
      edits.push({ op: 'set', path: [...initsPath, at, 'startupProbe'], value: startupProbeFrom(container.readinessProbe!, spec.timeoutSeconds) });
    }
    startedSidecars.push({ sidecar });
  }

  const restartable = new Set([...inits.filter((s) => s.container.restartPolicy === 'Always').map((s) => s.name), ...startedSidecars.map((x) => x.sidecar.name)]);
  const describe = (s: Slot): string => {
    if (!restartable.has(s.name)) return `${s.name}(completed)`;
    const waitFor = spec.sidecars.find((c) => c.name === s.name)?.waitFor ?? (s.container.startupProbe ? 'Ready' : 'Started');
    return `${s.name}(${waitFor.toLowerCase()})`;
  };
  const startOrder = [...inits.map(describe), ...containers.map((s) => s.name)].join(' -> ');
  return { edits, startOrder, problems, notes };
}
