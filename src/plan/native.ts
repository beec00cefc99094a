import type { V1Container, V1Probe } from '@kubernetes/client-node';
import type { OrderSpec, Rule, Sidecar } from '../config/order-spec.js';
import { buildOrderGraph, type ContainerNode, type OrderEdge } from '../order/graph.js';
import type { Edit, Path } from '../resource-list/edit.js';

/** What the planner decided for one pod template, before anything is written. */
export interface PodPlan {
  /** Edits relative to the pod template (its metadata and spec). */
  readonly edits: readonly Edit[];
  /** The start order it realises, for results and the applied annotation: `proxy(ready) -> app`. */
  readonly startOrder: string;
  readonly problems: readonly PlanProblem[];
  /** Parts of the declaration this pod has no container for; skipped. */
  readonly notes: readonly PlanProblem[];
}

export interface PlanProblem {
  readonly message: string;
  /** Relative to the pod template. */
  readonly field?: string;
}

export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

interface PodSpecView {
  readonly containers: V1Container[];
  readonly initContainers?: V1Container[] | null;
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

/** Kahn's algorithm, taking the lowest `rank` among the ready nodes: stable where edges allow. */
function topologicalOrder(names: readonly string[], edges: readonly OrderEdge[], rank: (name: string) => number): string[] {
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

/** Fields the API server forbids on a regular (run-to-completion) init container. */
const INIT_FORBIDDEN = ['readinessProbe', 'livenessProbe', 'startupProbe', 'lifecycle'] as const;

/**
 * Native sidecars (Kubernetes ≥ 1.29). Sidecars become init containers with `restartPolicy: Always`,
 * gated by a startupProbe when others wait for them to be Ready, and kubelet stops them after the main
 * containers, in reverse order. A container others wait on to complete becomes a regular init container,
 * placed after the sidecars it needs. New init containers go after the existing ones (which ran before
 * them when they were main containers) unless an edge says otherwise. Main containers are reordered only
 * for Started edges between them.
 */
export function planNative(spec: OrderSpec, podSpec: PodSpecView, sidecars: readonly Sidecar[], rules: readonly Rule[], annotations: Readonly<Record<string, string>>): PodPlan {
  const build = buildOrderGraph(podSpec, sidecars, rules);
  const { graph } = build;
  const problems = [...build.problems];
  const notes = build.missing;
  if (problems.length > 0) return { edits: [], startOrder: '', problems, notes };

  const completedDeps = new Set(graph.edges.filter((e) => e.condition === 'Completed').map((e) => e.from));
  const initLevel = new Set<string>();
  for (const node of graph.nodes.values()) {
    if (node.list === 'initContainers' || graph.sidecars.has(node.name) || completedDeps.has(node.name)) initLevel.add(node.name);
  }
  const node = (name: string): ContainerNode => graph.nodes.get(name)!;
  const field = (n: ContainerNode): string => `spec.${n.list}[${n.index}]`;

  for (const name of completedDeps) {
    const n = node(name);
    if (n.list !== 'containers') continue;
    for (const key of INIT_FORBIDDEN) {
      if (n.container[key] !== undefined) {
        problems.push({
          message: `${name} must complete before others start, so it becomes an init container, where Kubernetes forbids ${key}; remove it or wait for ${name} differently`,
          field: `${field(n)}.${key}`,
        });
      }
    }
  }
  for (const e of graph.edges) {
    const fromInit = initLevel.has(e.from);
    const toInit = initLevel.has(e.to);
    if (!fromInit && toInit) {
      problems.push({ message: `${e.to} runs before the main containers start, so it cannot wait for main container ${e.from}`, field: field(node(e.to)) });
    } else if (!fromInit && !toInit && e.condition !== 'Started') {
      problems.push({
        message: `${e.to} waits for main container ${e.from} to be ${e.condition}: that needs a postStart gate or the entrypoint strategy, which this version does not write yet`,
        field: field(node(e.to)),
      });
    }
  }
  if (podSpec.containers.every((c) => initLevel.has(c.name))) {
    problems.push({
      message: `every main container (${podSpec.containers.map((c) => c.name).join(', ')}) would become an init container, and a pod needs at least one main container`,
      field: 'spec.containers',
    });
  }
  if (problems.length > 0) return { edits: [], startOrder: '', problems, notes };

  const inits = (podSpec.initContainers ?? []).map((c) => c.name);
  const mains = podSpec.containers.map((c) => c.name);
  const rank = (name: string): number => (node(name).list === 'initContainers' ? node(name).index : inits.length + node(name).index);
  const finalInits = topologicalOrder([...initLevel], graph.edges, rank);
  const finalMains = topologicalOrder(
    mains.filter((n) => !initLevel.has(n)),
    graph.edges,
    (n) => node(n).index,
  );

  const edits: Edit[] = [];
  const initsPath: Path = ['spec', 'initContainers'];
  const mainsPath: Path = ['spec', 'containers'];
  const currentInits = [...inits];
  const currentMains = [...mains];
  finalInits.forEach((name, position) => {
    if (currentInits[position] === name) return;
    const inInits = currentInits.indexOf(name);
    if (inInits >= 0) {
      edits.push({ op: 'move', from: initsPath, fromIndex: inInits, to: initsPath, toIndex: position });
      currentInits.splice(inInits, 1);
    } else {
      const inMains = currentMains.indexOf(name);
      edits.push({ op: 'move', from: mainsPath, fromIndex: inMains, to: initsPath, toIndex: position });
      currentMains.splice(inMains, 1);
    }
    currentInits.splice(position, 0, name);
  });
  finalMains.forEach((name, position) => {
    const at = currentMains.indexOf(name);
    if (at === position) return;
    edits.push({ op: 'move', from: mainsPath, fromIndex: at, to: mainsPath, toIndex: position });
    currentMains.splice(at, 1);
    currentMains.splice(position, 0, name);
  });

  const waitedOnReady = new Set(graph.edges.filter((e) => e.condition === 'Ready').map((e) => e.from));
  finalInits.forEach((name, position) => {
    const { container } = node(name);
    if (!graph.sidecars.has(name) && !node(name).restartable) return;
    if (container.restartPolicy !== 'Always') edits.push({ op: 'set', path: [...initsPath, position, 'restartPolicy'], value: 'Always' });
    if (waitedOnReady.has(name) && !container.startupProbe) {
      edits.push({ op: 'set', path: [...initsPath, position, 'startupProbe'], value: startupProbeFrom(container.readinessProbe!, spec.timeoutSeconds) });
    }
  });

  // kubectl exec/logs default to the first main container: when a reorder changes which one that is,
  // say the one it was.
  const first = mains[0];
  if (first !== undefined && !initLevel.has(first) && finalMains[0] !== first && annotations[DEFAULT_CONTAINER_ANNOTATION] === undefined) {
    edits.push({ op: 'set', path: ['metadata', 'annotations', DEFAULT_CONTAINER_ANNOTATION], value: first });
  }

  const describe = (name: string): string => {
    const restartable = graph.sidecars.has(name) || node(name).restartable;
    if (!restartable) return `${name}(completed)`;
    return `${name}(${waitedOnReady.has(name) ? 'ready' : 'started'})`;
  };
  const startOrder = [...finalInits.map(describe), ...finalMains].join(' -> ');
  return { edits, startOrder, problems, notes };
}
