import type { V1Container } from '@kubernetes/client-node';
import type { KnownEntrypoint, OrderSpec } from '../config/order-spec.js';
import type { ContainerNode, OrderGraph } from '../order/graph.js';
import type { Edit } from '../resource-list/edit.js';
import { parseWrapper, RUN_MOUNT, RUN_VOLUME_SPEC, waitsOf, wrapperCommand, type Directive, type FileState } from '../runtime/entrypoint.js';
import { checkFromProbe, HELPER_CONTAINER, HELPER_MOUNT, HELPER_VOLUME_SPEC } from '../runtime/helper.js';
import { globMatches } from '../workloads/selector.js';
import { helperEdits, reorderEdits, runsToCompletion, sameCommand, startupProbeFrom, topologicalOrder, type PlanProblem, type PodPlan, type PodSpecView } from './pod-plan.js';

const FILE_STATE = { Started: 'started', Ready: 'ready', Completed: 'exit' } as const satisfies Record<string, FileState>;

/** kubelet's default when a pod does not set terminationGracePeriodSeconds. */
const DEFAULT_GRACE_SECONDS = 30;

/**
 * The program a container runs, as kubelet would start it: its command, the one our wrapper already
 * runs, or the image's entrypoint given in the config. Undefined when only the image knows.
 */
function programOf(container: V1Container, known: readonly KnownEntrypoint[]): readonly string[] | undefined {
  const wrapped = parseWrapper(container.command);
  if (wrapped) return wrapped.program;
  if (container.command && container.command.length > 0) return container.command;
  const entry =
    known.find((k) => 'container' in k.match && k.match.container === container.name) ??
    known.find((k) => 'image' in k.match && container.image !== undefined && globMatches(k.match.image, container.image));
  if (!entry) return undefined;
  // A command in the pod spec makes kubelet drop the image's CMD too: carry it over unless args replace it.
  return container.args === undefined ? [...entry.command, ...(entry.args ?? [])] : entry.command;
}

/**
 * Compiles a declared order into entrypoint wrappers (Tekton's mechanism). Main containers stay where
 * they are; each one that waits, or that others wait for, gets run.sh as its command with the original
 * program after `--`. Dependencies leave started / ready / exit files in a shared in-memory folder.
 * A sidecar outlives the main containers when the pod stops, and in a pod that runs to completion it
 * stops once they are done. Init containers keep their place: kubelet already runs them first.
 */
export function compileEntrypoints(spec: OrderSpec, podSpec: PodSpecView, graph: OrderGraph, quits: ReadonlyMap<string, string> = new Map()): PodPlan {
  const problems: PlanProblem[] = [];
  const node = (name: string): ContainerNode => graph.nodes.get(name)!;
  const field = (n: ContainerNode): string => `spec.${n.list}[${n.index}]`;
  const none = (): PodPlan => ({ strategy: 'entrypoint', edits: [], startOrder: '', problems, notes: [], warnings: [] });

  for (const e of graph.edges) {
    if (node(e.to).list === 'initContainers' && node(e.from).list === 'containers') {
      problems.push({ message: `${e.to} runs before the main containers start, so it cannot wait for main container ${e.from}`, field: field(node(e.to)) });
    }
  }
  for (const name of graph.sidecars.keys()) {
    const n = node(name);
    if (n.list === 'initContainers' && !n.restartable) {
      problems.push({ message: `sidecar ${name} is a regular init container, which runs to completion; the entrypoint strategy keeps sidecars among the main containers, so move it to containers`, field: field(n) });
    }
  }
  if (problems.length > 0) return none();

  const mains = podSpec.containers.map((c) => c.name);
  const sidecarMains = mains.filter((n) => graph.sidecars.has(n));
  const workMains = mains.filter((n) => !graph.sidecars.has(n));
  const completes = runsToCompletion(podSpec);
  const grace = podSpec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;

  const directives = new Map<string, Directive[]>();
  for (const name of mains) {
    const container = node(name).container;
    const list: Directive[] = [];
    for (const e of graph.edges) {
      if (e.to === name && node(e.from).list === 'containers') list.push({ kind: 'after', container: e.from, state: FILE_STATE[e.condition] });
    }
    if (graph.edges.some((e) => e.from === name && e.condition === 'Ready')) {
      const probeField = container.readinessProbe ? 'readinessProbe' : 'startupProbe';
      const check = checkFromProbe((container.readinessProbe ?? container.startupProbe)!, container);
      if (typeof check === 'string') problems.push({ message: `others wait for ${name} to be Ready, but ${check}`, field: `${field(node(name))}.${probeField}` });
      else list.push({ kind: 'ready', attemptSeconds: Math.max(1, container.readinessProbe?.timeoutSeconds ?? 1), check });
    }
    const waitedToComplete = graph.edges.some((e) => e.from === name && e.condition === 'Completed');
    if (waitedToComplete || (sidecarMains.length > 0 && !graph.sidecars.has(name))) list.push({ kind: 'exit' });
    if (graph.sidecars.has(name)) {
      list.push({ kind: 'sidecar', graceSeconds: grace, mains: workMains });
      if (completes) list.push({ kind: 'job', restartPolicy: completes });
      const quit = quits.get(name);
      if (completes && quit) list.push({ kind: 'quit', url: quit });
    }
    if (list.length > 0) directives.set(name, list);
  }

  const edits: Edit[] = [];
  const mounts: { position: number; container: V1Container }[] = [];
  for (const [name, list] of directives) {
    const n = node(name);
    const program = programOf(n.container, spec.entrypoints);
    if (program === undefined) {
      problems.push({
        message: `${name} must be wrapped to start in order, but it has no command, and its image's entrypoint cannot be known without pulling the image; set the container's command, or give it under entrypoints in the config`,
        field: `${field(n)}.command`,
      });
      continue;
    }
    const command = wrapperCommand({ container: name, timeoutSeconds: spec.timeoutSeconds, directives: list, program });
    if (!sameCommand(n.container.command, command)) edits.push({ op: 'set', path: ['spec', 'containers', n.index, 'command'], value: command });
    mounts.push({ position: n.index, container: n.container });
  }
  if (problems.length > 0) return none();

  // Sidecars already native keep their kubelet gate: a startupProbe where others wait for them to be Ready.
  (podSpec.initContainers ?? []).forEach((c, position) => {
    const waitedOnReady = graph.edges.some((e) => e.from === c.name && e.condition === 'Ready');
    if (c.restartPolicy === 'Always' && waitedOnReady && !c.startupProbe && c.readinessProbe) {
      edits.push({ op: 'set', path: ['spec', 'initContainers', position, 'startupProbe'], value: startupProbeFrom(c.readinessProbe, spec.timeoutSeconds) });
    }
  });

  // Init containers run one after another: reorder them where an edge between two of them says so.
  const inits = (podSpec.initContainers ?? []).map((c) => c.name);
  const finalInits = topologicalOrder(inits, graph.edges, (name) => inits.indexOf(name));
  edits.push(...reorderEdits(['spec', 'initContainers'], inits, finalInits));
  if (mounts.length > 0) {
    const volumes = [
      { volume: HELPER_VOLUME_SPEC, mount: HELPER_MOUNT },
      { volume: RUN_VOLUME_SPEC, mount: RUN_MOUNT },
    ];
    edits.push(...helperEdits(podSpec, mounts, volumes, spec.helperImage));
  }

  const describe = (name: string): string => {
    const waits = waitsOf(directives.get(name) ?? []);
    const role = graph.sidecars.has(name) ? 'sidecar' : '';
    const inside = [role, waits.length > 0 ? `after ${waits.join(', ')}` : ''].filter((s) => s !== '').join(', ');
    return inside === '' ? name : `${name}(${inside})`;
  };
  const mainOrder = topologicalOrder(mains, graph.edges, (name) => mains.indexOf(name));
  const startOrder = [...finalInits.filter((n) => n !== HELPER_CONTAINER), ...mainOrder.map(describe)].join(' -> ');
  return { strategy: 'entrypoint', edits, startOrder, problems, notes: [], warnings: [] };
}
