import type { V1Container } from '@kubernetes/client-node';
import type { OrderSpec } from '../config/order-spec.js';
import type { ContainerNode, OrderGraph } from '../order/graph.js';
import type { Edit, Path } from '../resource-list/edit.js';
import { checkFromProbe, HELPER_CONTAINER, HELPER_MOUNT, HELPER_VOLUME_SPEC, isOurHook, waitCommand, type ReadinessCheck } from '../runtime/helper.js';
import { helperEdits, podsOf, reorderEdits, runsToCompletion, sameCommand, startupProbeFrom, topologicalOrder, type PlanProblem, type PodPlan, type PodSpecView } from './pod-plan.js';

export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** Fields the API server forbids on a regular (run-to-completion) init container. */
const INIT_FORBIDDEN = ['readinessProbe', 'livenessProbe', 'startupProbe', 'lifecycle'] as const;

/**
 * Compiles a checked order graph into edits of one pod template, with the mechanisms kubelet has.
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
 * complete cannot be expressed: warnings say so, marked for `auto` to try the entrypoint wrappers (plan.ts).
 */
export function compileKubeletOrder(
  strategy: 'native' | 'postStart',
  spec: OrderSpec,
  workloadKind: string,
  podSpec: PodSpecView,
  graph: OrderGraph,
  annotations: Readonly<Record<string, string>>,
  ownWaits: ReadonlyMap<string, readonly string[]> = new Map(),
): PodPlan {
  const problems: PlanProblem[] = [];
  const none = (): PodPlan => ({ strategy, edits: [], startOrder: '', problems, notes: [], warnings: [] });

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
          entrypointCan: true,
        });
      }
    }
  }
  for (const e of graph.edges) {
    if (!initLevel.has(e.from) && initLevel.has(e.to)) {
      // Only a container that was an init container already cannot be kept among the main ones.
      const movable = node(e.to).list === 'containers';
      problems.push({ message: `${e.to} runs before the main containers start, so it cannot wait for main container ${e.from}`, field: field(node(e.to)), ...(movable ? { entrypointCan: true as const } : {}) });
    }
  }
  if (podSpec.containers.every((c) => initLevel.has(c.name))) {
    problems.push({
      message: `every main container (${podSpec.containers.map((c) => c.name).join(', ')}) would become an init container, and a pod needs at least one main container`,
      field: 'spec.containers',
      entrypointCan: true,
    });
  }

  // Main containers others wait on to be Ready are gated by a postStart hook.
  const gated = [...new Set(graph.edges.filter((e) => e.condition === 'Ready' && !initLevel.has(e.from)).map((e) => e.from))];
  const checks = new Map<string, ReadinessCheck>();
  const waits = new Map<string, readonly string[]>();
  for (const name of gated) {
    const n = node(name);
    const hook = n.container.lifecycle?.postStart;
    const own = ownWaits.get(name);
    if (hook && !isOurHook(hook.exec?.command) && !sameCommand(hook.exec?.command, own)) {
      problems.push({
        message: `${name} already has a postStart hook, which order-containers will not replace; others wait for ${name} to be Ready`,
        field: `${field(n)}.lifecycle.postStart`,
        entrypointCan: true,
      });
      continue;
    }
    if (own) {
      waits.set(name, own);
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
  edits.push(...reorderEdits(mainsPath, currentMains, finalMains));

  const waitedOnReady = new Set(graph.edges.filter((e) => e.condition === 'Ready').map((e) => e.from));
  finalInits.forEach((name, position) => {
    const { container } = node(name);
    if (!graph.sidecars.has(name) && !node(name).restartable) return;
    if (container.restartPolicy !== 'Always') edits.push({ op: 'set', path: [...initsPath, position, 'restartPolicy'], value: 'Always' });
    if (waitedOnReady.has(name) && !container.startupProbe) {
      edits.push({ op: 'set', path: [...initsPath, position, 'startupProbe'], value: startupProbeFrom(container.readinessProbe!, spec.timeoutSeconds) });
    }
  });
  edits.push(...gateEdits(podSpec, finalMains, checks, waits, spec, (name) => node(name).container));

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
    if (runsToCompletion(podSpec) !== undefined) {
      warnings.push({
        message: `${podsOf(workloadKind)} will not complete while ${mainSidecars.join(', ')} ${mainSidecars.length === 1 ? 'keeps' : 'keep'} running: postStart cannot stop a sidecar when the work is done`,
        entrypointCan: true,
      });
    }
  }

  const describe = (name: string): string => {
    if (initLevel.has(name) && !graph.sidecars.has(name) && !node(name).restartable) return `${name}(completed)`;
    if (!waitedOnReady.has(name) && !graph.sidecars.has(name) && !node(name).restartable) return name;
    return `${name}(${waitedOnReady.has(name) ? 'ready' : 'started'})`;
  };
  const startOrder = [...finalInits.filter((n) => n !== HELPER_CONTAINER).map(describe), ...finalMains.map(describe)].join(' -> ');
  return { strategy, edits, startOrder, problems, notes: [], warnings };
}

/**
 * The postStart gates: a blocking wait in each gated container, either the container's own wait
 * command (a preset's) or a poll of its readiness check run by the static helper, whose volume the
 * container then mounts read-only. Paths are positions after the reorder.
 */
function gateEdits(
  podSpec: PodSpecView,
  finalMains: readonly string[],
  checks: ReadonlyMap<string, ReadinessCheck>,
  ownWaits: ReadonlyMap<string, readonly string[]>,
  spec: OrderSpec,
  containerOf: (name: string) => V1Container,
): Edit[] {
  const edits: Edit[] = [];
  const setHook = (name: string, command: readonly string[]): number => {
    const position = finalMains.indexOf(name);
    if (!sameCommand(containerOf(name).lifecycle?.postStart?.exec?.command, command)) {
      edits.push({ op: 'set', path: ['spec', 'containers', position, 'lifecycle', 'postStart'], value: { exec: { command } } });
    }
    return position;
  };
  for (const [name, command] of ownWaits) setHook(name, command);
  if (checks.size === 0) return edits;
  const mounts: { position: number; container: V1Container }[] = [];
  for (const [name, check] of checks) {
    const container = containerOf(name);
    const attempt = Math.max(1, container.readinessProbe?.timeoutSeconds ?? 1);
    mounts.push({ position: setHook(name, waitCommand(name, check, spec.timeoutSeconds, attempt)), container });
  }
  return [...edits, ...helperEdits(podSpec, mounts, [{ volume: HELPER_VOLUME_SPEC, mount: HELPER_MOUNT }], spec.helperImage)];
}
