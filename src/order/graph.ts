/**
 * The declared order of one pod as a checked graph, and its topological order.
 */
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import { DEFAULT_STOP_ORDER, type Condition, type Rule, type Sidecar, type SidecarWait, type StopOrder } from './declaration.js';
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
  /** The sidecars declared to stop with the other containers (`stop: with`), not after them. */
  readonly stopsWithApp: ReadonlySet<string>;
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

/**
 * A cycle in the edges, as the names along it (`a -> b -> a`), or undefined. A depth-first search with
 * its own stack rather than recursion: a chain of a few thousand containers would overflow the call stack.
 */
export function findCycle(names: readonly string[], edges: readonly OrderEdge[]): string[] | undefined {
  const next = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  const state = new Map<string, 'open' | 'done'>();
  // The open nodes, outermost first, each with how many of its successors have been looked at.
  const path: string[] = [];
  const tried: number[] = [];
  const open = (n: string): void => {
    state.set(n, 'open');
    path.push(n);
    tried.push(0);
  };
  for (const root of names) {
    if (state.has(root)) continue;
    open(root);
    while (path.length > 0) {
      const top = path.length - 1;
      const successors = next.get(path[top]!) ?? [];
      if (tried[top]! === successors.length) {
        state.set(path.pop()!, 'done');
        tried.pop();
        continue;
      }
      const m = successors[tried[top]!++]!;
      const seen = state.get(m);
      if (seen === 'open') return [...path.slice(path.indexOf(m)), m];
      if (seen === undefined) open(m);
    }
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
  if (problems.length > 0) return { graph: { nodes, edges: [], sidecars: new Map(), stopsWithApp: new Set() }, problems, missing: [] };

  const missing: GraphProblem[] = [];
  const sidecars = new Map<string, SidecarWait>();
  const stops = new Map<string, StopOrder>();
  for (const s of sidecarList) {
    if (!nodes.has(s.name)) {
      missing.push({ message: `sidecar ${s.name} is not a container of this pod; skipped` });
      continue;
    }
    const earlier = sidecars.get(s.name);
    const stop = s.stop ?? DEFAULT_STOP_ORDER;
    const earlierStop = stops.get(s.name);
    if ((earlier !== undefined && earlier !== s.waitFor) || (earlierStop !== undefined && earlierStop !== stop)) {
      const differs = earlier !== s.waitFor ? `waitFor ${earlier} and ${s.waitFor}` : `stop ${earlierStop} and ${stop}`;
      problems.push({ message: `sidecar ${s.name} is declared twice, with ${differs}`, field: fieldOf(nodes.get(s.name)!) });
      continue;
    }
    sidecars.set(s.name, s.waitFor);
    stops.set(s.name, stop);
  }
  const stopsWithApp = new Set([...stops].filter(([, stop]) => stop === 'with').map(([name]) => name));

  const edges: OrderEdge[] = [];
  // The edges by their two ends, so that a repeated pair is found without a scan: a pod where every
  // container waits for every sidecar has containers × sidecars edges.
  const byPair = new Map<string, Map<string, OrderEdge>>();
  const edgeOf = (from: string, to: string): OrderEdge | undefined => byPair.get(from)?.get(to);
  const addEdge = (edge: OrderEdge): void => {
    edges.push(edge);
    const into = byPair.get(edge.from) ?? new Map<string, OrderEdge>();
    into.set(edge.to, edge);
    byPair.set(edge.from, into);
  };
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
      const same = edgeOf(dep.container, rule.container);
      if (same && same.condition !== dep.condition) {
        problems.push({
          message: `container ${rule.container} is declared to start after ${dep.container} is ${same.condition} and after it is ${dep.condition}; keep one`,
          field: fieldOf(nodes.get(rule.container)!),
        });
        continue;
      }
      if (!same) addEdge({ from: dep.container, to: rule.container, condition: dep.condition });
    }
  }

  // Sidecars start before the main containers: that is an edge from each sidecar to each of them.
  for (const [name, waitFor] of sidecars) {
    for (const node of nodes.values()) {
      if (node.list === 'containers' && !sidecars.has(node.name) && !edgeOf(name, node.name)) {
        addEdge({ from: name, to: node.name, condition: waitFor });
      }
    }
  }

  for (const edge of edges) {
    const from = nodes.get(edge.from)!;
    // Built only for a problem: a pod where every container waits for every sidecar has containers × sidecars edges.
    const waitedOn = (): string => `${edge.to} waits for ${edge.from} to be ${edge.condition}`;
    if (edge.condition === 'Completed' && (sidecars.has(edge.from) || from.restartable)) {
      problems.push({
        message: `${waitedOn()}, but ${edge.from} is a sidecar: it keeps running and never completes`,
        field: fieldOf(from),
      });
    } else if (edge.condition === 'Ready' && !readinessProbeOf(from.container, presetProbes.get(from.name))) {
      problems.push({
        message: sidecars.has(edge.from)
          ? `sidecar ${edge.from} must be Ready before the others start, but it has no readinessProbe or startupProbe to tell; add one, or set waitFor: Started`
          : `${waitedOn()}, but ${edge.from} has no readinessProbe or startupProbe to tell; add one, or wait for Started`,
        field: `${fieldOf(from)}.readinessProbe`,
      });
    }
  }
  // The first of the problems with the same message: a sidecar without a probe is one problem, not one per container.
  const messages = new Set<string>();
  const unique = problems.filter((p) => !messages.has(p.message) && messages.add(p.message));

  const cycle = findCycle([...nodes.keys()], edges);
  if (cycle) unique.push({ message: `the declared order has a cycle: ${cycle.join(' -> ')}` });
  return { graph: { nodes, edges, sidecars, stopsWithApp }, problems: unique, missing };
}

/** The edges into and out of each container, in the graph's order. */
export interface EdgeIndex {
  readonly into: (name: string) => readonly OrderEdge[];
  readonly outOf: (name: string) => readonly OrderEdge[];
}

/**
 * Grouped once, so that a question per container is not a scan of every edge: a pod where every
 * container waits for every sidecar has containers × sidecars edges.
 */
export function indexEdges(edges: readonly OrderEdge[]): EdgeIndex {
  const into = new Map<string, OrderEdge[]>();
  const outOf = new Map<string, OrderEdge[]>();
  const add = (map: Map<string, OrderEdge[]>, name: string, e: OrderEdge): void => {
    const list = map.get(name);
    if (list) list.push(e);
    else map.set(name, [e]);
  };
  for (const e of edges) {
    add(into, e.to, e);
    add(outOf, e.from, e);
  }
  return { into: (name) => into.get(name) ?? [], outOf: (name) => outOf.get(name) ?? [] };
}

/** A rank for topologicalOrder: a name's first place in `order`, -1 when it has none, looked up in a map. */
export function placeIn(order: readonly string[]): (name: string) => number {
  const places = new Map<string, number>();
  order.forEach((name, i) => {
    if (!places.has(name)) places.set(name, i);
  });
  return (name) => places.get(name) ?? -1;
}

/**
 * Kahn's algorithm, taking the lowest `rank` among the ready nodes, ties by their place in `names`:
 * stable where edges allow. The ready nodes wait in a heap and each node counts the edges it still
 * waits on, so that a pod of thousands of containers is ordered in O((names + edges) log names).
 */
export function topologicalOrder(names: readonly string[], edges: readonly OrderEdge[], rank: (name: string) => number): string[] {
  const indexOf = new Map(names.map((n, i) => [n, i]));
  const ranks = names.map(rank);
  const waiting = names.map(() => 0);
  const successors: number[][] = names.map(() => []);
  for (const e of edges) {
    const from = indexOf.get(e.from);
    const to = indexOf.get(e.to);
    if (from === undefined || to === undefined) continue;
    successors[from]!.push(to);
    waiting[to]!++;
  }
  const before = (a: number, b: number): boolean => ranks[a]! < ranks[b]! || (!(ranks[b]! < ranks[a]!) && a < b);
  const ready = new Heap(before);
  waiting.forEach((count, i) => {
    if (count === 0) ready.push(i);
  });
  const order: string[] = [];
  for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
    order.push(names[next]!);
    for (const to of successors[next]!) if (--waiting[to]! === 0) ready.push(to);
  }
  if (order.length < names.length || indexOf.size < names.length) throw new Error('cycle in an order graph that was checked for cycles');
  return order;
}

/** A binary min-heap of node indices, `before` deciding which comes out first. */
class Heap {
  private readonly items: number[] = [];
  constructor(private readonly before: (a: number, b: number) => boolean) {}

  push(item: number): void {
    const items = this.items;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && this.before(items[left]!, items[least]!)) least = left;
      if (right < items.length && this.before(items[right]!, items[least]!)) least = right;
      if (least === i) break;
      [items[i], items[least]] = [items[least]!, items[i]!];
      i = least;
    }
    return top;
  }
}
