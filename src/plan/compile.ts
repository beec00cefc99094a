import type { V1Container, V1Probe } from '@kubernetes/client-node';
import type { OrderSpec, Rule, Sidecar } from '../config/order-spec.js';
import { buildOrderGraph, type ContainerNode, type OrderEdge } from '../order/graph.js';
import type { Edit, Path } from '../resource-list/edit.js';
import {
  checkFromProbe,
  HELPER_CONTAINER,
  HELPER_MOUNT,
  HELPER_VOLUME,
  HELPER_VOLUME_SPEC,
  helperContainer,
  isOurHook,
  waitCommand,
  type ReadinessCheck,
} from '../runtime/helper.js';

/** What the planner decided for one pod template, before anything is written. */
export interface PodPlan {
  /** Edits relative to the pod template (its metadata and spec). */
  readonly edits: readonly Edit[];
  /** The start order it realises, for results and the applied annotation: `proxy(ready) -> app`. */
  readonly startOrder: string;
  readonly problems: readonly PlanProblem[];
  /** Parts of the declaration this pod has no container for; skipped. */
  readonly notes: readonly PlanProblem[];
  /** What the strategy cannot give (stop order, Job completion under postStart). */
  readonly warnings: readonly PlanProblem[];
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

/** The mechanisms this compiler writes; `entrypoint` is not written yet. */
export type CompiledStrategy = 'native' | 'postStart';

const JOB_KINDS = new Set(['Job', 'CronJob']);

/**
 * Compiles a declared order into edits of one pod template.
 *
 * Both strategies: a container others wait on to complete becomes a regular init container, placed
 * after what it needs; new init containers go after the existing ones (which ran before them when they
 * were main containers) unless an edge says otherwise; main containers are reordered, stably, so that
 * every dependency starts first; and a main container others wait on to be Ready gets a blocking
 * postStart hook (kubelet starts the next container only when the hook returns) that polls its
 * readiness check with a deadline, run by the static helper.
 *
 * native (Kubernetes ≥ 1.29): sidecars become init containers with `restartPolicy: Always`, gated by a
 * startupProbe when others wait for them to be Ready, and kubelet stops them after the main containers.
 * postStart: sidecars stay main containers, moved first and gated; stopping them last and letting a Job
 * complete cannot be expressed, and warnings say so.
 */
export function compileOrder(
  strategy: CompiledStrategy,
  spec: OrderSpec,
  workloadKind: string,
  podSpec: PodSpecView,
  sidecars: readonly Sidecar[],
  rules: readonly Rule[],
  annotations: Readonly<Record<string, string>>,
): PodPlan {
  const build = buildOrderGraph(podSpec, sidecars, rules);
  const { graph } = build;
  const problems = [...build.problems];
  const notes = build.missing;
  const none = (): PodPlan => ({ edits: [], startOrder: '', problems, notes, warnings: [] });
  if (problems.length > 0) return none();

  const completedDeps = new Set(graph.edges.filter((e) => e.condition === 'Completed').map((e) => e.from));
  const initLevel = new Set<string>();
  for (const n of graph.nodes.values()) {
    const sidecarInit = strategy === 'native' && graph.sidecars.has(n.name);
    if (n.list === 'initContainers' || sidecarInit || completedDeps.has(n.name)) initLevel.add(n.name);
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
    if (!initLevel.has(e.from) && initLevel.has(e.to)) {
      problems.push({ message: `${e.to} runs before the main containers start, so it cannot wait for main container ${e.from}`, field: field(node(e.to)) });
    }
  }
  if (podSpec.containers.every((c) => initLevel.has(c.name))) {
    problems.push({
      message: `every main container (${podSpec.containers.map((c) => c.name).join(', ')}) would become an init container, and a pod needs at least one main container`,
      field: 'spec.containers',
    });
  }

  // Main containers others wait on to be Ready are gated by a postStart hook.
  const gated = [...new Set(graph.edges.filter((e) => e.condition === 'Ready' && !initLevel.has(e.from)).map((e) => e.from))];
  const checks = new Map<string, ReadinessCheck>();
  for (const name of gated) {
    const n = node(name);
    const hook = n.container.lifecycle?.postStart;
    if (hook && !isOurHook(hook.exec?.command)) {
      problems.push({ message: `${name} already has a postStart hook, which order-containers will not replace; others wait for ${name} to be Ready`, field: `${field(n)}.lifecycle.postStart` });
      continue;
    }
    const probe = n.container.readinessProbe ?? n.container.startupProbe!;
    const check = checkFromProbe(probe, n.container);
    if (typeof check === 'string') {
      problems.push({ message: `others wait for ${name} to be Ready, but ${check}`, field: `${field(n)}.${n.container.readinessProbe ? 'readinessProbe' : 'startupProbe'}` });
    } else {
      checks.set(name, check);
    }
  }
  if (problems.length > 0) return none();

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
  edits.push(...gateEdits(podSpec, finalMains, checks, spec, (name) => node(name).container));

  // kubectl exec/logs default to the first main container: when a reorder puts another one first,
  // name the application container (the first one that was not a sidecar) unless the user named one.
  const firstApp = mains.find((n) => !graph.sidecars.has(n) && !initLevel.has(n));
  if (firstApp !== undefined && finalMains[0] !== mains[0] && annotations[DEFAULT_CONTAINER_ANNOTATION] === undefined) {
    edits.push({ op: 'set', path: ['metadata', 'annotations', DEFAULT_CONTAINER_ANNOTATION], value: firstApp });
  }

  const warnings: PlanProblem[] = [];
  const mainSidecars = finalMains.filter((n) => graph.sidecars.has(n));
  if (mainSidecars.length > 0) {
    warnings.push({
      message: `postStart cannot make ${mainSidecars.join(', ')} stop after the other containers: kubelet stops main containers together (native sidecars, Kubernetes 1.29+, can)`,
    });
    if (JOB_KINDS.has(workloadKind)) {
      warnings.push({ message: `this ${workloadKind}'s pods will not complete while ${mainSidecars.join(', ')} keep running: postStart cannot stop a sidecar when the work is done` });
    }
  }

  const describe = (name: string): string => {
    if (initLevel.has(name) && !graph.sidecars.has(name) && !node(name).restartable) return `${name}(completed)`;
    if (!waitedOnReady.has(name) && !graph.sidecars.has(name) && !node(name).restartable) return name;
    return `${name}(${waitedOnReady.has(name) ? 'ready' : 'started'})`;
  };
  const startOrder = [...finalInits.filter((n) => n !== HELPER_CONTAINER).map(describe), ...finalMains.map(describe)].join(' -> ');
  return { edits, startOrder, problems, notes, warnings };
}

/**
 * The postStart gates, and the helper they run: an init container first in line that copies the static
 * busybox into a shared emptyDir, the volume, and a read-only mount in each gated container. Paths are
 * positions after the reorder; the helper is inserted last so that no earlier position moves.
 */
function gateEdits(
  podSpec: PodSpecView,
  finalMains: readonly string[],
  checks: ReadonlyMap<string, ReadinessCheck>,
  spec: OrderSpec,
  containerOf: (name: string) => V1Container,
): Edit[] {
  if (checks.size === 0) return [];
  const edits: Edit[] = [];
  for (const [name, check] of checks) {
    const at = finalMains.indexOf(name);
    const container = containerOf(name);
    const path: Path = ['spec', 'containers', at];
    const attempt = Math.max(1, container.readinessProbe?.timeoutSeconds ?? 1);
    const command = waitCommand(name, check, spec.timeoutSeconds, attempt);
    const current = container.lifecycle?.postStart?.exec?.command;
    if (JSON.stringify(current) !== JSON.stringify(command)) edits.push({ op: 'set', path: [...path, 'lifecycle', 'postStart'], value: { exec: { command } } });
    if (!container.volumeMounts?.some((m) => m.name === HELPER_VOLUME)) {
      edits.push({ op: 'insert', path: [...path, 'volumeMounts'], index: container.volumeMounts?.length ?? 0, value: HELPER_MOUNT });
    }
  }
  const volumes = (podSpec as { volumes?: { name: string }[] }).volumes;
  if (!volumes?.some((v) => v.name === HELPER_VOLUME)) edits.push({ op: 'insert', path: ['spec', 'volumes'], index: volumes?.length ?? 0, value: HELPER_VOLUME_SPEC });
  if (!(podSpec.initContainers ?? []).some((c) => c.name === HELPER_CONTAINER)) {
    edits.push({ op: 'insert', path: ['spec', 'initContainers'], index: 0, value: helperContainer(spec.helperImage), before: ['containers'] });
  }
  return edits;
}
