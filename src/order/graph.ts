/**
 * The declared order of one pod as a checked graph, and its topological order.
 */
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import type { Condition, Rule, Sidecar, SidecarWait } from './declaration.js';
import { readinessProbeOf } from '../readiness/readiness.js';
import { containerField } from '../workloads/pods.js';

/**
 * The declared order of one pod: its containers as nodes, "B starts after A reaches a condition" as
 * edges, and which containers are sidecars. Built from the declaration and the pod spec, and checked:
 * a graph that comes out of `buildOrderGraph` without problems can be compiled.
 */
export interface ContainerNode {
  readonly name: string;
  readonly container: V1Container;
  /** Where the container is now. */
  readonly list: 'initContainers' | 'containers';
  readonly index: number;
  /** An init container with `restartPolicy: Always`: already a native sidecar. */
  readonly restartable: boolean;
}

export interface OrderEdge {
  /** The dependency. */
  readonly from: string;
  /** The container that waits. */
  readonly to: string;
  readonly condition: Condition;
}

export interface OrderGraph {
  readonly nodes: ReadonlyMap<string, ContainerNode>;
  readonly edges: readonly OrderEdge[];
  readonly sidecars: ReadonlyMap<string, SidecarWait>;
}

interface GraphProblem {
  readonly message: string;
  /** Relative to the pod template. */
  readonly field?: string;
}

export interface GraphBuild {
  readonly graph: OrderGraph;
  /** The declaration cannot be realised in this pod. */
  readonly problems: readonly GraphProblem[];
  /** Parts of the declaration that name containers this pod does not have: skipped. */
  readonly missing: readonly GraphProblem[];
}

function fieldOf(node: ContainerNode): string {
  return containerField(node.list, node.index);
}

/** A cycle in the edges, as the names along it (`a -> b -> a`), or undefined. */
export function findCycle(names: readonly string[], edges: readonly OrderEdge[]): string[] | undefined {
  const next = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'open');
    path.push(n);
    for (const m of next.get(n) ?? []) {
      const cycle = visit(m);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of names) {
    const cycle = visit(n);
    if (cycle) return cycle;
  }
  return undefined;
}

export function buildOrderGraph(
  podSpec: { containers: V1Container[]; initContainers?: V1Container[] | null },
  sidecarList: readonly Sidecar[],
  rules: readonly Rule[],
  /** Readiness a preset knows for containers without a probe. */
  presetProbes: ReadonlyMap<string, V1Probe> = new Map(),
): GraphBuild {
  const nodes = new Map<string, ContainerNode>();
  const problems: GraphProblem[] = [];
  const add = (node: ContainerNode): void => {
    const earlier = nodes.get(node.name);
    if (earlier) {
      problems.push({
        message: `${fieldOf(earlier)} and ${fieldOf(node)} are both named ${node.name}; container names must be unique in a pod`,
        field: `${fieldOf(node)}.name`,
      });
    } else {
      nodes.set(node.name, node);
    }
  };
  (podSpec.initContainers ?? []).forEach((container, index) =>
    add({ name: container.name, container, list: 'initContainers', index, restartable: container.restartPolicy === 'Always' }),
  );
  podSpec.containers.forEach((container, index) => add({ name: container.name, container, list: 'containers', index, restartable: false }));
  if (problems.length > 0) return { graph: { nodes, edges: [], sidecars: new Map() }, problems, missing: [] };

  const missing: GraphProblem[] = [];
  const sidecars = new Map<string, SidecarWait>();
  for (const s of sidecarList) {
    if (!nodes.has(s.name)) {
      missing.push({ message: `sidecar ${s.name} is not a container of this pod; skipped` });
      continue;
    }
    const earlier = sidecars.get(s.name);
    if (earlier !== undefined && earlier !== s.waitFor) {
      problems.push({
        message: `sidecar ${s.name} is declared twice, with waitFor ${earlier} and ${s.waitFor}`,
        field: fieldOf(nodes.get(s.name)!),
      });
      continue;
    }
    sidecars.set(s.name, s.waitFor);
  }

  const edges: OrderEdge[] = [];
  for (const rule of rules) {
    for (const dep of rule.after) {
      const absent = [rule.container, dep.container].filter((n) => !nodes.has(n));
      if (absent.length > 0) {
        missing.push({
          message: `rule "${rule.container} after ${dep.container}" names ${absent.join(' and ')}, not a container of this pod; skipped`,
        });
        continue;
      }
      if (dep.container === rule.container) {
        problems.push({ message: `container ${rule.container} cannot start after itself`, field: fieldOf(nodes.get(rule.container)!) });
        continue;
      }
      const same = edges.find((e) => e.from === dep.container && e.to === rule.container);
      if (same && same.condition !== dep.condition) {
        problems.push({
          message: `container ${rule.container} is declared to start after ${dep.container} is ${same.condition} and after it is ${dep.condition}; keep one`,
          field: fieldOf(nodes.get(rule.container)!),
        });
        continue;
      }
      if (!same) edges.push({ from: dep.container, to: rule.container, condition: dep.condition });
    }
  }

  // Sidecars start before the main containers: that is an edge from each sidecar to each of them.
  for (const [name, waitFor] of sidecars) {
    for (const node of nodes.values()) {
      if (node.list === 'containers' && !sidecars.has(node.name) && !edges.some((e) => e.from === name && e.to === node.name)) {
        edges.push({ from: name, to: node.name, condition: waitFor });
      }
    }
  }

  for (const edge of edges) {
    const from = nodes.get(edge.from)!;
    const waitedOn = `${edge.to} waits for ${edge.from} to be ${edge.condition}`;
    if (edge.condition === 'Completed' && (sidecars.has(edge.from) || from.restartable)) {
      problems.push({ message: `${waitedOn}, but ${edge.from} is a sidecar: it keeps running and never completes`, field: fieldOf(from) });
    } else if (edge.condition === 'Ready' && !readinessProbeOf(from.container, presetProbes.get(from.name))) {
      problems.push({
        message: sidecars.has(edge.from)
          ? `sidecar ${edge.from} must be Ready before the others start, but it has no readinessProbe or startupProbe to tell; add one, or set waitFor: Started`
          : `${waitedOn}, but ${edge.from} has no readinessProbe or startupProbe to tell; add one, or wait for Started`,
        field: `${fieldOf(from)}.readinessProbe`,
      });
    }
  }
  const unique = problems.filter((p, i) => problems.findIndex((q) => q.message === p.message) === i);

  const cycle = findCycle([...nodes.keys()], edges);
  if (cycle) unique.push({ message: `the declared order has a cycle: ${cycle.join(' -> ')}` });
  return { graph: { nodes, edges, sidecars }, problems: unique, missing };
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
