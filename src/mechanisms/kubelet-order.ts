/**
 * The order kubelet itself keeps, shared by the native and postStart mechanisms.
 *
 * A container others wait on to complete becomes a regular init container, placed after what it needs;
 * new init containers go after the existing ones (which ran before them when they were main containers)
 * unless an edge says otherwise; main containers are reordered, stably, so that every dependency starts
 * first; and a main container others wait on to be Ready gets a blocking postStart hook (kubelet starts
 * the next container only when the hook returns: kubelet's startContainer runs the postStart handler
 * before it returns, pkg/kubelet/kuberuntime/kuberuntime_container.go) that polls its readiness check
 * with a deadline, run by the static helper. Sidecars, when `sidecarsAsInit`, become init containers
 * with `restartPolicy: Always`, gated by a startupProbe when others wait for them to be Ready. With
 * holdDependents, the containers a postStart gate holds also wait for it themselves (dependentsHeld).
 */
import type { V1Container } from '@kubernetes/client-node';
import type { ContainerNode } from '../order/graph.js';
import { indexEdges, placeIn, topologicalOrder } from '../order/graph.js';
import { error, type Diagnostic } from '../diagnostic.js';
import type { AppliedStep } from '../protocol/applied.js';
import { decodeWaitHook, encodeWaitHook } from '../protocol/wait-hook.js';
import { encodeWrapper } from '../protocol/wrapper.js';
import { derivedStartupProbe, type Readiness } from '../readiness/readiness.js';
import type { Edit, Path } from '../resource-list/edit.js';
import { HELPER_CONTAINER, HELPER_MOUNT, HELPER_VOLUME_SPEC, RUN_MOUNT, RUN_VOLUME_SPEC } from '../runtime/helper.js';
import { containerField } from '../workloads/pods.js';
import type { MechanismPlan, PodContext } from './mechanism.js';
import { helperEdits, helperRefusals, programOf, reorderEdits, sameCommand, waitedReadiness, type HelperVolume } from './pod-edits.js';
import { onlyOurWaitHook, releasedWrappers, releaseEdits, type Kept } from './release.js';
import { Remaining } from './remaining.js';

const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** The gates run busybox and wait.sh from the helper's volume. */
const GATE_VOLUMES: readonly HelperVolume[] = [{ volume: HELPER_VOLUME_SPEC, mount: HELPER_MOUNT }];
/** With holdDependents, the gates also leave their marks in the run volume, where the held containers' wrappers look. */
const HELD_VOLUMES: readonly HelperVolume[] = [...GATE_VOLUMES, { volume: RUN_VOLUME_SPEC, mount: RUN_MOUNT }];
const gateVolumes = (marks: boolean): readonly HelperVolume[] => (marks ? HELD_VOLUMES : GATE_VOLUMES);

/** Fields the API server forbids on a regular (run-to-completion) init container. */
const INIT_FORBIDDEN = ['readinessProbe', 'livenessProbe', 'startupProbe', 'lifecycle', 'resizePolicy'] as const;

/** The kubelet order of one pod, and what is left for the mechanism to say. */
export interface KubeletOrder extends MechanismPlan {
  /** Main containers that stay main containers, in their new order. */
  readonly mains: readonly string[];
}

export function kubeletOrder(pod: PodContext, sidecarsAsInit: boolean): KubeletOrder {
  const { graph, podSpec } = pod;
  const problems: Diagnostic[] = [];
  const none = (): KubeletOrder => ({ edits: [], steps: [], diagnostics: problems, mains: [] });
  const node = (name: string): ContainerNode => graph.nodes.get(name)!;
  const field = (n: ContainerNode): string => containerField(n.list, n.index);

  const completedDeps = new Set(graph.edges.filter((e) => e.condition === 'Completed').map((e) => e.from));
  const { outliving } = pod;
  const initLevel = new Set<string>();
  for (const n of graph.nodes.values()) {
    if (n.list === 'initContainers' || (sidecarsAsInit && outliving.has(n.name)) || completedDeps.has(n.name)) initLevel.add(n.name);
  }

  for (const name of completedDeps) {
    const n = node(name);
    if (n.list !== 'containers') continue;
    for (const key of INIT_FORBIDDEN) {
      // An earlier run's wait hook is ours to remove (release.ts), not the user's to.
      if (key === 'lifecycle' && onlyOurWaitHook(n.container)) continue;
      if (n.container[key] !== undefined) {
        problems.push(
          error(
            `${name} must complete before others start, so it becomes an init container, where Kubernetes forbids ${key}; remove it or wait for ${name} differently`,
            `${field(n)}.${key}`,
          ),
        );
      }
    }
  }
  for (const e of graph.edges) {
    if (!initLevel.has(e.from) && initLevel.has(e.to)) {
      problems.push(
        error(`${e.to} runs before the main containers start, so it cannot wait for main container ${e.from}`, field(node(e.to))),
      );
    }
  }
  if (podSpec.containers.every((c) => initLevel.has(c.name))) {
    problems.push(
      error(
        `every main container (${podSpec.containers.map((c) => c.name).join(', ')}) would become an init container, and a pod needs at least one main container`,
        'spec.containers',
      ),
    );
  }

  // Main containers others wait on to be Ready are gated by a postStart hook.
  const waitedOnReady = new Set(graph.edges.filter((e) => e.condition === 'Ready').map((e) => e.from));
  const gated = [...waitedOnReady].filter((name) => !initLevel.has(name));
  const checks = new Map<string, Readiness>();
  const waits = new Map<string, readonly string[]>();
  for (const name of gated) {
    const n = node(name);
    const hook = n.container.lifecycle?.postStart;
    const own = pod.hints.waits.get(name);
    if (hook && !decodeWaitHook(hook.exec?.command) && !sameCommand(hook.exec?.command, own)) {
      problems.push(
        error(
          `${name} already has a postStart hook, which order-containers will not replace; others wait for ${name} to be Ready`,
          `${field(n)}.lifecycle.postStart`,
        ),
      );
      continue;
    }
    if (own) {
      waits.set(name, own);
      continue;
    }
    const readiness = waitedReadiness(pod, n);
    if ('message' in readiness) problems.push(readiness);
    else checks.set(name, readiness);
  }
  const hold = pod.holdDependents ? dependentsHeld(pod, checks, waits) : { held: new Map<string, Held>(), diagnostics: [] };
  // The gates leave ready marks only for containers that wait for them themselves.
  const marks = hold.held.size > 0;
  if (checks.size > 0) {
    const why = `${[...checks.keys()].join(', ')} must be gated by the static helper`;
    const users = [...new Set([...checks.keys(), ...hold.held.keys()])].map(node);
    problems.push(...helperRefusals(podSpec, why, users, gateVolumes(marks)));
  }
  const released = releasedWrappers(pod, new Set(hold.held.keys()));
  problems.push(...released.problems);
  if (problems.length > 0) return none();

  const inits = (podSpec.initContainers ?? []).map((c) => c.name);
  const mains = podSpec.containers.map((c) => c.name);
  const finalInits = topologicalOrder([...initLevel], graph.edges, placeIn(preferredInitOrder(inits, mains, initLevel, pod)));
  const finalMains = topologicalOrder(
    mains.filter((n) => !initLevel.has(n)),
    graph.edges,
    (n) => node(n).index,
  );

  const edits: Edit[] = [];
  const initsPath: Path = ['spec', 'initContainers'];
  const mainsPath: Path = ['spec', 'containers'];
  // Each name placed is taken from the inits or mains left to place, whose positions are then its move's.
  const restInits = new Remaining(inits);
  const restMains = new Remaining(mains);
  finalInits.forEach((name, position) => {
    if (restInits.has(name)) {
      const at = position + restInits.positionOf(name);
      restInits.take(name);
      if (at !== position) edits.push({ op: 'move', from: initsPath, fromIndex: at, to: initsPath, toIndex: position });
    } else {
      edits.push({ op: 'move', from: mainsPath, fromIndex: restMains.positionOf(name), to: initsPath, toIndex: position });
      restMains.take(name);
    }
  });
  edits.push(...reorderEdits(mainsPath, restMains.rest(), finalMains));

  const restartable = (name: string): boolean => graph.sidecars.has(name) || node(name).restartable;
  finalInits.forEach((name, position) => {
    const { container } = node(name);
    if (!restartable(name)) return;
    if (container.restartPolicy !== 'Always') edits.push({ op: 'set', path: [...initsPath, position, 'restartPolicy'], value: 'Always' });
    // Derived on every run, so that a new timeoutSeconds reaches it; a startupProbe of the user's stays.
    const startupProbe = waitedOnReady.has(name)
      ? derivedStartupProbe(container, pod.hints.probes.get(name), pod.timeoutSeconds)
      : undefined;
    if (startupProbe) edits.push({ op: 'set', path: [...initsPath, position, 'startupProbe'], value: startupProbe });
  });
  edits.push(
    ...gateEdits(pod, finalMains, checks, waits, hold.held, marks, (name) => node(name).container, finalInits.indexOf(HELPER_CONTAINER)),
  );
  // Looked up in maps: releaseEdits asks for every container, and a scan each made that n² (issue 17).
  const initAt = placeIn(finalInits);
  const mainAt = placeIn(finalMains);
  const pathOf = (name: string): Path => (initLevel.has(name) ? [...initsPath, initAt(name)] : [...mainsPath, mainAt(name)]);
  const kept: Kept = {
    wrapped: new Set(hold.held.keys()),
    hooked: new Set([...checks.keys(), ...waits.keys()]),
    users: new Set([...checks.keys(), ...hold.held.keys()]),
    volumes: checks.size === 0 ? [] : gateVolumes(marks),
    probed: new Set(finalInits.filter((name) => restartable(name) && waitedOnReady.has(name))),
  };
  edits.push(...releaseEdits(pod, kept, released, pathOf, finalInits.indexOf(HELPER_CONTAINER), finalInits.length));

  // kubectl exec/logs default to the first main container: when a reorder puts another one first,
  // name the application container (the first one that was not a sidecar) unless the user named one.
  const firstApp = mains.find((n) => !graph.sidecars.has(n) && !initLevel.has(n));
  if (firstApp !== undefined && finalMains[0] !== mains[0] && pod.annotations[DEFAULT_CONTAINER_ANNOTATION] === undefined) {
    edits.push({ op: 'set', path: ['metadata', 'annotations', DEFAULT_CONTAINER_ANNOTATION], value: firstApp });
  }

  const step = (container: string): AppliedStep => {
    if (initLevel.has(container) && !restartable(container)) return { container, gate: 'completed' };
    const held = hold.held.get(container);
    const after = held ? { after: held.after.map((c) => ({ container: c, gate: 'ready' as const })) } : {};
    if (!waitedOnReady.has(container) && !restartable(container)) return { container, ...after };
    return { container, gate: waitedOnReady.has(container) ? 'ready' : 'started', ...after };
  };
  const steps = [...finalInits.filter((n) => n !== HELPER_CONTAINER), ...finalMains].map(step);
  return { edits, steps, diagnostics: hold.diagnostics, mains: finalMains };
}

/**
 * Where init-level containers go when no edge decides: sidecars moved from the main containers start
 * before the pod's own init containers, so that those can use them (a migration through the database
 * proxy, anything that needs the mesh), after the ones that must come first: the static helper, and a
 * mesh's own init containers, moved first as the mesh's injector places them for a native proxy
 * (istio/istio pkg/kube/inject/webhook.go reorderPod: "{istio-init/istio-validation} => proxy =>
 * rest"), so that the pod's other init containers run inside the mesh. Main containers that must
 * complete come after all of them, as they did when they were main containers. An edge decides over all
 * of this (topologicalOrder).
 */
function preferredInitOrder(inits: readonly string[], mains: readonly string[], initLevel: ReadonlySet<string>, pod: PodContext): string[] {
  const first = (name: string): boolean => name === HELPER_CONTAINER || pod.hints.initsFirst.has(name);
  const moved = mains.filter((n) => initLevel.has(n));
  const sidecars = moved.filter((n) => pod.graph.sidecars.has(n));
  const completing = moved.filter((n) => !pod.graph.sidecars.has(n));
  if (sidecars.length === 0) return [...inits, ...completing];
  return [...inits.filter(first), ...sidecars, ...inits.filter((n) => !first(n)), ...completing];
}

/** A main container that waits itself for the postStart gates in `after` to leave their ready marks. */
interface Held {
  readonly after: readonly string[];
  readonly program: readonly string[];
}

/**
 * holdDependents: kubelet starts the next containers even when a postStart gate fails (the gated
 * container times out, crashes, cannot be pulled or created): SyncPod's Step 8 starts every container
 * in ContainersToStart and ignores a failed start (pkg/kubelet/kuberuntime/kuberuntime_manager.go). So
 * each main container that waits for a gated one to be Ready also waits itself, in an entrypoint
 * wrapper (`--after GATED:ready`) that starts its program only once the gate's wait.sh has left
 * GATED.ready in the run folder. A preset's own wait command leaves no mark, and a container whose
 * program is unknown cannot be wrapped: for those the order stays best effort, and a warning says so.
 */
function dependentsHeld(
  pod: PodContext,
  checks: ReadonlyMap<string, Readiness>,
  ownWaits: ReadonlyMap<string, readonly string[]>,
): { held: Map<string, Held>; diagnostics: Diagnostic[] } {
  const { graph } = pod;
  const held = new Map<string, Held>();
  const diagnostics: Diagnostic[] = [];
  const edges = indexEdges(graph.edges);
  for (const n of graph.nodes.values()) {
    if (n.list !== 'containers') continue;
    const gates = edges
      .into(n.name)
      .filter((e) => e.condition === 'Ready')
      .map((e) => e.from);
    for (const gate of gates.filter((g) => ownWaits.has(g))) {
      diagnostics.push({
        severity: 'warning',
        message: `holdDependents: ${gate} is gated by its own wait command, which leaves no ready mark, so ${n.name} cannot wait for it itself: the order of ${n.name} after ${gate} is best effort (kubelet starts ${n.name} even when ${gate}'s gate fails)`,
      });
    }
    const after = gates.filter((g) => checks.has(g));
    if (after.length === 0) continue;
    const program = programOf(n.container, pod.entrypoints);
    const field = containerField(n.list, n.index);
    if (program === undefined || typeof program === 'string') {
      const why =
        program === undefined
          ? `${n.name} has no command, and its image's entrypoint cannot be known without pulling the image`
          : `for ${n.name}, ${program}`;
      diagnostics.push({
        severity: 'warning',
        message: `holdDependents: ${why}, so it cannot wait for ${after.join(', ')} itself: the order of ${n.name} after ${after.join(', ')} is best effort (kubelet starts ${n.name} even when a gate fails); set its command, or give it under entrypoints in the config`,
        field: `${field}.${program === undefined ? 'command' : 'args'}`,
      });
      continue;
    }
    held.set(n.name, { after, program });
    diagnostics.push({
      severity: 'info',
      message: `holdDependents: ${n.name}'s command is rewritten to run under the helper's run.sh, which starts its program only once ${after.join(', ')} passed ${after.length === 1 ? 'its' : 'their'} postStart gate; if ${after.length === 1 ? 'it has' : 'they have'} not within ${pod.timeoutSeconds}s, ${n.name} exits 1 and kubelet restarts it as the pod's restartPolicy says`,
      field: `${field}.command`,
    });
  }
  return { held, diagnostics };
}

/**
 * The postStart gates: a blocking wait in each gated container, either the container's own wait
 * command (a preset's) or a poll of its readiness check run by the static helper, whose volume the
 * container then mounts read-only. With `held` containers, the polls also leave their ready marks in
 * the run volume, and each held container's command becomes a wrapper that waits for them. Paths are
 * positions after the reorder.
 */
function gateEdits(
  pod: PodContext,
  finalMains: readonly string[],
  checks: ReadonlyMap<string, Readiness>,
  ownWaits: ReadonlyMap<string, readonly string[]>,
  held: ReadonlyMap<string, Held>,
  marks: boolean,
  containerOf: (name: string) => V1Container,
  helperAt: number,
): Edit[] {
  const edits: Edit[] = [];
  // Looked up for every gated and held container: a map, not a scan of the list each time.
  const positions = new Map(finalMains.map((name, i) => [name, i]));
  const positionOf = (name: string): number => positions.get(name) ?? -1;
  const setHook = (name: string, command: readonly string[]): number => {
    const position = positionOf(name);
    if (!sameCommand(containerOf(name).lifecycle?.postStart?.exec?.command, command)) {
      edits.push({ op: 'set', path: ['spec', 'containers', position, 'lifecycle', 'postStart'], value: { exec: { command } } });
    }
    return position;
  };
  for (const [name, command] of ownWaits) setHook(name, command);
  if (checks.size === 0) return edits;
  // By position, so that a container both gated and held mounts each volume once.
  const mounts = new Map<number, V1Container>();
  for (const [name, readiness] of checks) {
    const command = encodeWaitHook({
      container: name,
      timeoutSeconds: pod.timeoutSeconds,
      readiness,
      ...(marks ? { marksReady: true } : {}),
    });
    mounts.set(setHook(name, command), containerOf(name));
  }
  for (const [name, { after, program }] of held) {
    const position = positionOf(name);
    const container = containerOf(name);
    const wrapper = encodeWrapper({
      container: name,
      timeoutSeconds: pod.timeoutSeconds,
      after: after.map((gate) => ({ container: gate, state: 'ready' })),
      recordExit: false,
      program,
    });
    if (!sameCommand(container.command, wrapper))
      edits.push({ op: 'set', path: ['spec', 'containers', position, 'command'], value: wrapper });
    mounts.set(position, container);
  }
  const mounted = [...mounts].map(([position, container]) => ({ position, container }));
  return [
    ...edits,
    ...helperEdits(pod.podSpec, mounted, gateVolumes(marks), pod.helperImage, helperAt, marks ? ['wait', 'run'] : ['wait']),
  ];
}
