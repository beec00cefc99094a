/**
 * Entrypoint wrappers (Tekton's mechanism), for any Kubernetes version. Main containers stay where they
 * are; each one that waits, or that others wait for, gets run.sh as its command with the original
 * program after `--` (protocol/wrapper.ts). Dependencies leave started / ready / exit files in a shared
 * in-memory folder. A sidecar outlives the main containers when the pod stops, and in a pod that runs
 * to completion it stops once they are done. Init containers keep their place: kubelet already runs
 * them first.
 */
import type { V1Container } from '@kubernetes/client-node';
import { indexEdges, placeIn, topologicalOrder, type ContainerNode } from '../../order/graph.js';
import { error, type Diagnostic } from '../../diagnostic.js';
import type { AppliedStep, StepGate } from '../../protocol/applied.js';
import { decodeWrapper, encodeWrapper, type FileState, type Wrapper, type WrapperDependency } from '../../protocol/wrapper.js';
import { derivedStartupProbe } from '../../readiness/readiness.js';
import type { Edit, Path } from '../../resource-list/edit.js';
import { HELPER_CONTAINER, HELPER_MOUNT, HELPER_VOLUME_SPEC, RUN_MOUNT, RUN_VOLUME_SPEC } from '../../runtime/helper.js';
import { containerField, DEFAULT_GRACE_SECONDS, runsToCompletion } from '../../workloads/pods.js';
import type { Mechanism, MechanismPlan, PodContext } from '../mechanism.js';
import { initContainersBeforeSidecars, unsupportedNativeSidecars } from '../native/native.js';
import { helperEdits, helperRefusals, programOf, reorderEdits, sameCommand, waitedReadiness, type HelperVolume } from '../pod-edits.js';
import { releasedWrappers, releaseEdits, type Kept } from '../release.js';

const FILE_STATE = { Started: 'started', Ready: 'ready', Completed: 'exit' } as const satisfies Record<string, FileState>;
const GATE_OF_STATE = { started: 'started', ready: 'ready', exit: 'completed' } as const satisfies Record<FileState, StepGate>;

/** The wrappers run busybox and run.sh from the helper's volume, and leave their files in the run volume. */
const WRAPPER_VOLUMES: readonly HelperVolume[] = [
  { volume: HELPER_VOLUME_SPEC, mount: HELPER_MOUNT },
  { volume: RUN_VOLUME_SPEC, mount: RUN_MOUNT },
];

function afterOf(dependencies: readonly WrapperDependency[]): AppliedStep['after'] {
  return dependencies.map((d) => ({ container: d.container, gate: GATE_OF_STATE[d.state] }));
}

/**
 * kubelet runs a container's liveness and startup probes from its start (after initialDelaySeconds),
 * and a wrapped container starts its program only after its waits: a probe that can fail past its
 * threshold before the waits may be over has kubelet restart the container while it waits. A wait for
 * a container to be Started or Ready lasts at most timeoutSeconds (run.sh's await); a wait for one to
 * complete, also through a dependency that waits for it, has no bound, so any such probe can.
 */
function probesWhileWaiting(pod: PodContext, wrappers: ReadonlyMap<string, Omit<Wrapper, 'program'>>): Diagnostic[] {
  const completing = new Map<string, string | undefined>();
  /** A container that `name` waits to complete, directly or through the ones it waits for. */
  const waitsToComplete = (name: string): string | undefined => {
    if (completing.has(name)) return completing.get(name);
    completing.set(name, undefined);
    let found: string | undefined;
    for (const d of wrappers.get(name)?.after ?? []) {
      found = d.state === 'exit' ? d.container : waitsToComplete(d.container);
      if (found !== undefined) break;
    }
    completing.set(name, found);
    return found;
  };
  const warnings: Diagnostic[] = [];
  for (const [name, wrapper] of wrappers) {
    if (wrapper.after.length === 0) continue;
    const n = pod.graph.nodes.get(name)!;
    const unbounded = waitsToComplete(name);
    for (const key of ['livenessProbe', 'startupProbe'] as const) {
      const probe = n.container[key];
      if (!probe) continue;
      // kubelet's defaults: no initial delay, every 10 s, 3 failures.
      const patience = (probe.initialDelaySeconds ?? 0) + (probe.failureThreshold ?? 3) * (probe.periodSeconds ?? 10);
      const field = `${containerField(n.list, n.index)}.${key}`;
      if (unbounded !== undefined) {
        warnings.push({
          severity: 'warning',
          message: `${name} waits for ${unbounded} to complete before its program starts, which has no time limit, but its ${key} gives up after about ${patience}s, and kubelet then restarts it while it waits; give it an initialDelaySeconds that covers ${unbounded}'s run`,
          field,
        });
        continue;
      }
      if (patience >= pod.timeoutSeconds) continue;
      warnings.push({
        severity: 'warning',
        message: `${name} may wait up to ${pod.timeoutSeconds}s for the containers it starts after to start or be ready, but its ${key} gives up after about ${patience}s, and kubelet then restarts it while it waits; raise its initialDelaySeconds or failureThreshold, or lower timeoutSeconds`,
        field,
      });
    }
  }
  return warnings;
}

function compile(pod: PodContext): MechanismPlan {
  const { graph, podSpec } = pod;
  const problems: Diagnostic[] = [];
  const node = (name: string): ContainerNode => graph.nodes.get(name)!;
  const field = (n: ContainerNode): string => containerField(n.list, n.index);
  const none = (): MechanismPlan => ({ edits: [], steps: [], diagnostics: problems });
  problems.push(...unsupportedNativeSidecars(pod));

  for (const e of graph.edges) {
    if (node(e.to).list === 'initContainers' && node(e.from).list === 'containers') {
      problems.push(
        error(`${e.to} runs before the main containers start, so it cannot wait for main container ${e.from}`, field(node(e.to))),
      );
    }
  }
  for (const name of graph.sidecars.keys()) {
    const n = node(name);
    if (n.list === 'initContainers' && !n.restartable) {
      problems.push(
        error(
          `sidecar ${name} is a regular init container, which runs to completion; the entrypoint strategy keeps sidecars among the main containers, so move it to containers`,
          field(n),
        ),
      );
    }
  }
  if (problems.length > 0) return none();

  const mains = podSpec.containers.map((c) => c.name);
  // A sidecar that stops with the others (stop: with) is wrapped as they are: it starts first, and is
  // signalled when they are.
  const { outliving } = pod;
  const sidecarMains = mains.filter((n) => outliving.has(n));
  const workMains = mains.filter((n) => !outliving.has(n));
  const completes = runsToCompletion(podSpec);
  const grace = podSpec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  // It reaches the wrapper's shell arithmetic: a whole number, as the API server requires, or nothing.
  if (!Number.isSafeInteger(grace) || grace < 0) {
    problems.push(error(`expected whole seconds, got ${JSON.stringify(grace)}`, 'spec.terminationGracePeriodSeconds'));
    return none();
  }

  const edges = indexEdges(graph.edges);
  const wrappers = new Map<string, Omit<Wrapper, 'program'>>();
  for (const name of mains) {
    const container = node(name).container;
    const after = edges
      .into(name)
      .filter((e) => node(e.from).list === 'containers')
      .map((e) => ({ container: e.from, state: FILE_STATE[e.condition] }));
    let ready: Wrapper['ready'];
    if (edges.outOf(name).some((e) => e.condition === 'Ready')) {
      const readiness = waitedReadiness(pod, node(name));
      if ('message' in readiness) problems.push(readiness);
      else ready = readiness;
    }
    const isSidecar = outliving.has(name);
    const waitedToComplete = edges.outOf(name).some((e) => e.condition === 'Completed');
    if (waitedToComplete && !completes) {
      // It stays up, asleep, once its program is done (--run-once), where its probes would fail.
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
        if (container[probe] === undefined) continue;
        problems.push(
          error(
            `${name} must complete before others start, and in a pod that restarts exited containers it then stays up without its program, where its ${probe} would fail; remove it or wait for ${name} differently`,
            `${field(node(name))}.${probe}`,
          ),
        );
      }
    }
    const recordExit = waitedToComplete || (sidecarMains.length > 0 && !isSidecar);
    const quit = completes ? pod.hints.quits.get(name) : undefined;
    const sidecar = isSidecar
      ? { graceSeconds: grace, mains: workMains, ...(completes ? { job: completes } : {}), ...(quit ? { quit } : {}) }
      : undefined;
    // A container others wait on leaves at least its started file, which only its wrapper writes.
    const waitedOn = edges.outOf(name).some((e) => node(e.to).list === 'containers');
    if (after.length === 0 && !ready && !recordExit && !sidecar && !waitedOn) continue;
    wrappers.set(name, {
      container: name,
      timeoutSeconds: pod.timeoutSeconds,
      after,
      ...(ready ? { ready } : {}),
      recordExit,
      // A step others wait on to complete must not run again each time kubelet restarts it.
      ...(waitedToComplete && !completes ? { runOnce: true as const } : {}),
      ...(sidecar ? { sidecar } : {}),
    });
  }

  const edits: Edit[] = [];
  const mounts: { position: number; container: V1Container }[] = [];
  for (const [name, wrapper] of wrappers) {
    const n = node(name);
    const program = programOf(n.container, pod.entrypoints);
    if (program === undefined || typeof program === 'string') {
      problems.push(
        error(
          program === undefined
            ? `${name} must be wrapped to start in order, but it has no command, and its image's entrypoint cannot be known without pulling the image; set the container's command, or give it under entrypoints in the config`
            : `${name} must be wrapped to start in order, but ${program}`,
          `${field(n)}.${program === undefined ? 'command' : 'args'}`,
        ),
      );
      continue;
    }
    const command = encodeWrapper({ ...wrapper, program });
    if (!sameCommand(n.container.command, command))
      edits.push({ op: 'set', path: ['spec', 'containers', n.index, 'command'], value: command });
    mounts.push({ position: n.index, container: n.container });
  }
  if (wrappers.size > 0) {
    problems.push(
      ...helperRefusals(podSpec, 'the entrypoint wrappers run under the static helper', [...wrappers.keys()].map(node), WRAPPER_VOLUMES),
    );
  }
  const released = releasedWrappers(pod, new Set(wrappers.keys()));
  problems.push(...released.problems);
  if (problems.length > 0) return none();

  // Sidecars already native keep their kubelet gate: a startupProbe where others wait for them to be
  // Ready, derived from the readinessProbe (else the preset's probe) on every run (a startupProbe of the user's stays).
  const probed = new Set<string>();
  (podSpec.initContainers ?? []).forEach((c, position) => {
    if (c.restartPolicy !== 'Always' || !edges.outOf(c.name).some((e) => e.condition === 'Ready')) return;
    probed.add(c.name);
    const startupProbe = derivedStartupProbe(c, pod.hints.probes.get(c.name), pod.timeoutSeconds);
    if (startupProbe) edits.push({ op: 'set', path: ['spec', 'initContainers', position, 'startupProbe'], value: startupProbe });
  });

  // Init containers run one after another: reorder them where an edge between two of them says so.
  const inits = (podSpec.initContainers ?? []).map((c) => c.name);
  const finalInits = topologicalOrder(inits, graph.edges, placeIn(inits));
  edits.push(...reorderEdits(['spec', 'initContainers'], inits, finalInits));
  const helperAt = finalInits.indexOf(HELPER_CONTAINER);
  if (mounts.length > 0) edits.push(...helperEdits(podSpec, mounts, WRAPPER_VOLUMES, pod.helperImage, helperAt, ['run']));
  const wrapped = new Set(wrappers.keys());
  const kept: Kept = { wrapped, hooked: new Set(), users: wrapped, volumes: mounts.length > 0 ? WRAPPER_VOLUMES : [], probed };
  // Main containers keep their places; init containers are where the reorder put them.
  const initAt = placeIn(finalInits);
  const pathOf = (name: string): Path =>
    node(name).list === 'containers' ? ['spec', 'containers', node(name).index] : ['spec', 'initContainers', initAt(name)];
  edits.push(...releaseEdits(pod, kept, released, pathOf, helperAt, finalInits.length));

  const step = (container: string): AppliedStep => {
    const after = wrappers.get(container)?.after ?? [];
    return {
      container,
      ...(outliving.has(container) ? { sidecar: true as const } : {}),
      ...(after.length > 0 ? { after: afterOf(after) } : {}),
    };
  };
  const mainOrder = topologicalOrder(mains, graph.edges, placeIn(mains));
  const steps = [...finalInits.filter((n) => n !== HELPER_CONTAINER).map((container) => ({ container })), ...mainOrder.map(step)];
  return { edits, steps, diagnostics: [...initContainersBeforeSidecars(pod), ...probesWhileWaiting(pod, wrappers)] };
}

export const entrypoint = {
  name: 'entrypoint',
  available: () => true,
  compile,
  recognise(container, list) {
    const wrapper = decodeWrapper(container.command);
    if (!wrapper) return undefined;
    const phase = list === 'initContainers' || wrapper.sidecar ? 'sidecar' : 'main';
    return { phase, gate: wrapper.ready ? 'ready' : 'started', how: 'entrypoint wrapper', after: afterOf(wrapper.after)! };
  },
  stopsJobSidecars: false,
} as const satisfies Mechanism<'entrypoint'>;
