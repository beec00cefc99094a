/**
 * Entrypoint wrappers (Tekton's mechanism), for any Kubernetes version. Main containers stay where they
 * are; each one that waits, or that others wait for, gets run.sh as its command with the original
 * program after `--` (protocol/wrapper.ts). Dependencies leave started / ready / exit files in a shared
 * in-memory folder. A sidecar outlives the main containers when the pod stops, and in a pod that runs
 * to completion it stops once they are done. Init containers keep their place: kubelet already runs
 * them first.
 */
import type { V1Container } from '@kubernetes/client-node';
import type { KnownEntrypoint } from '../mechanism.js';
import { topologicalOrder, type ContainerNode } from '../../order/graph.js';
import { error, type Diagnostic } from '../../diagnostic.js';
import type { AppliedStep, StepGate } from '../../protocol/applied.js';
import { decodeWrapper, encodeWrapper, type FileState, type Wrapper, type WrapperDependency } from '../../protocol/wrapper.js';
import { startupProbeFrom } from '../../readiness/readiness.js';
import type { Edit } from '../../resource-list/edit.js';
import { HELPER_CONTAINER, HELPER_MOUNT, HELPER_VOLUME_SPEC, RUN_MOUNT, RUN_VOLUME_SPEC } from '../../runtime/helper.js';
import { globMatches } from '../../workloads/glob.js';
import { containerField, DEFAULT_GRACE_SECONDS, runsToCompletion } from '../../workloads/pods.js';
import type { Mechanism, MechanismPlan, PodContext } from '../mechanism.js';
import { initContainersBeforeSidecars, unsupportedNativeSidecars } from '../native/native.js';
import { helperEdits, helperRefusal, reorderEdits, sameCommand, waitedReadiness } from '../pod-edits.js';

const FILE_STATE = { Started: 'started', Ready: 'ready', Completed: 'exit' } as const satisfies Record<string, FileState>;
const GATE_OF_STATE = { started: 'started', ready: 'ready', exit: 'completed' } as const satisfies Record<FileState, StepGate>;

/**
 * The part of a container's program that the wrapper's command carries after `--`, as kubelet would
 * start it: its command, the one our wrapper already runs, or the image's entrypoint given in the
 * config. The container's `args` stay where they are, and kubelet appends them to the wrapper's command
 * (so they are never carried too, or they would be passed twice): for an image with no ENTRYPOINT
 * (`command: []`, busybox run with `args` only) the args are the whole program, and the carried part is
 * empty. Undefined when only the image knows; why, when nothing would be left to run.
 */
function programOf(container: V1Container, known: readonly KnownEntrypoint[]): readonly string[] | string | undefined {
  const wrapped = decodeWrapper(container.command);
  if (wrapped) return wrapped.program;
  if (container.command && container.command.length > 0) return container.command;
  const entry =
    known.find((k) => 'container' in k.match && k.match.container === container.name) ??
    known.find((k) => 'image' in k.match && container.image !== undefined && globMatches(k.match.image, container.image));
  if (!entry) return undefined;
  // A command in the pod spec makes the runtime drop the image's CMD too: carry it over unless the
  // container's own args replace it. An empty args list is none (containerd WithProcessArgs, CRI).
  const ownArgs = container.args !== undefined && container.args !== null && container.args.length > 0;
  const program = ownArgs ? entry.command : [...entry.command, ...(entry.args ?? [])];
  return ownArgs || program.length > 0
    ? program
    : `the entrypoints entry for it says its image has no ENTRYPOINT (command: []), and it has no args to run; give the image's CMD as the entry's args, or give the container args`;
}

function afterOf(dependencies: readonly WrapperDependency[]): AppliedStep['after'] {
  return dependencies.map((d) => ({ container: d.container, gate: GATE_OF_STATE[d.state] }));
}

/**
 * kubelet runs a container's liveness and startup probes from its start (after initialDelaySeconds),
 * and a wrapped container starts its program only after its waits: a probe that can fail past its
 * threshold before the waits may be over has kubelet restart the container while it waits.
 */
function probesWhileWaiting(pod: PodContext, wrappers: ReadonlyMap<string, Omit<Wrapper, 'program'>>): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  for (const [name, wrapper] of wrappers) {
    if (wrapper.after.length === 0) continue;
    const n = pod.graph.nodes.get(name)!;
    for (const key of ['livenessProbe', 'startupProbe'] as const) {
      const probe = n.container[key];
      if (!probe) continue;
      // kubelet's defaults: no initial delay, every 10 s, 3 failures.
      const patience = (probe.initialDelaySeconds ?? 0) + (probe.failureThreshold ?? 3) * (probe.periodSeconds ?? 10);
      if (patience >= pod.timeoutSeconds) continue;
      warnings.push({
        severity: 'warning',
        message: `${name} may wait up to ${pod.timeoutSeconds}s before its program starts, but its ${key} gives up after about ${patience}s, and kubelet then restarts it while it waits; raise its initialDelaySeconds or failureThreshold, or lower timeoutSeconds`,
        field: `${containerField(n.list, n.index)}.${key}`,
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
  const sidecarMains = mains.filter((n) => graph.sidecars.has(n));
  const workMains = mains.filter((n) => !graph.sidecars.has(n));
  const completes = runsToCompletion(podSpec);
  const grace = podSpec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  // It reaches the wrapper's shell arithmetic: a whole number, as the API server requires, or nothing.
  if (!Number.isSafeInteger(grace) || grace < 0) {
    problems.push(error(`expected whole seconds, got ${JSON.stringify(grace)}`, 'spec.terminationGracePeriodSeconds'));
    return none();
  }

  const wrappers = new Map<string, Omit<Wrapper, 'program'>>();
  for (const name of mains) {
    const container = node(name).container;
    const after = graph.edges
      .filter((e) => e.to === name && node(e.from).list === 'containers')
      .map((e) => ({ container: e.from, state: FILE_STATE[e.condition] }));
    let ready: Wrapper['ready'];
    if (graph.edges.some((e) => e.from === name && e.condition === 'Ready')) {
      const readiness = waitedReadiness(pod, node(name));
      if ('message' in readiness) problems.push(readiness);
      else ready = readiness;
    }
    const isSidecar = graph.sidecars.has(name);
    const waitedToComplete = graph.edges.some((e) => e.from === name && e.condition === 'Completed');
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
    const waitedOn = graph.edges.some((e) => e.from === name && node(e.to).list === 'containers');
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
  const refusal = wrappers.size > 0 ? helperRefusal(podSpec, 'the entrypoint wrappers run under the static helper') : undefined;
  if (refusal) problems.push(refusal);
  if (problems.length > 0) return none();

  // Sidecars already native keep their kubelet gate: a startupProbe where others wait for them to be Ready.
  (podSpec.initContainers ?? []).forEach((c, position) => {
    const waitedOnReady = graph.edges.some((e) => e.from === c.name && e.condition === 'Ready');
    if (c.restartPolicy === 'Always' && waitedOnReady && !c.startupProbe && c.readinessProbe) {
      edits.push({
        op: 'set',
        path: ['spec', 'initContainers', position, 'startupProbe'],
        value: startupProbeFrom(c.readinessProbe, pod.timeoutSeconds),
      });
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
    edits.push(...helperEdits(podSpec, mounts, volumes, pod.helperImage, finalInits.indexOf(HELPER_CONTAINER), ['run']));
  }

  const step = (container: string): AppliedStep => {
    const after = wrappers.get(container)?.after ?? [];
    return {
      container,
      ...(graph.sidecars.has(container) ? { sidecar: true as const } : {}),
      ...(after.length > 0 ? { after: afterOf(after) } : {}),
    };
  };
  const mainOrder = topologicalOrder(mains, graph.edges, (name) => mains.indexOf(name));
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
