/**
 * What a pod spec will do, read from the spec alone, so that it answers for any manifest, ordered by
 * this function or by hand: each mechanism recognises its own work (mechanisms/), init containers and
 * hooks of anyone else are read as kubelet reads them.
 */
import type { V1Container } from '@kubernetes/client-node';
import { MECHANISMS } from '../mechanisms/index.js';
import { APPLIED_ANNOTATION, parseApplied, type StepGate } from '../protocol/applied.js';
import type { PlainObject } from '../resource-list/read.js';
import { runsToCompletion, type ContainerList } from '../workloads/pods.js';

type Phase = 'init' | 'sidecar' | 'main';

export interface TimelineStep {
  readonly name: string;
  /** Where the container is in the pod spec; absent for one an injector adds. */
  readonly list?: ContainerList;
  readonly phase: Phase;
  /** What kubelet waits for before it starts the next container. */
  readonly gate: string;
  /** How that wait is made: a mechanism's word for its work, or `init container`, `postStart hook`, `injected at admission`, `none`. */
  readonly how: string;
  /** A main container that holds the next ones until it is ready (mechanisms/mechanism.ts Recognised). */
  readonly holdsNext?: true;
  /** The mechanism whose work this is, if any. */
  readonly mechanism?: string;
  /**
   * For a wrapped container, what it waits for itself, whatever kubelet started before it; the others
   * wait for the container started before them.
   */
  readonly after?: readonly { readonly container: string; readonly gate: StepGate }[];
}

export interface PodTimeline {
  readonly workload: { readonly kind: string; readonly name: string; readonly namespace?: string };
  /** The file the workload comes from, where one is known: workloads of the same name tell apart by it. */
  readonly path?: string;
  /** A mechanism's name, from order-containers.dev/applied, else read off the spec; `none` when there is none. */
  readonly mechanism: string;
  readonly start: readonly TimelineStep[];
  /** Groups stopped together, in order. */
  readonly stop: readonly (readonly string[])[];
  readonly warnings: readonly string[];
}

/** One container's step: the first mechanism that recognises it, else what kubelet alone does. */
function step(container: V1Container, list: ContainerList): TimelineStep {
  const name = container.name;
  for (const m of MECHANISMS) {
    const seen = m.recognise(container, list);
    if (seen)
      return {
        name,
        list,
        phase: seen.phase,
        gate: seen.gate,
        how: seen.how,
        mechanism: m.name,
        ...(seen.holdsNext ? { holdsNext: true as const } : {}),
        ...(seen.after ? { after: seen.after } : {}),
      };
  }
  if (list === 'initContainers') return { name, list, phase: 'init', gate: 'completed', how: 'init container' };
  if (container.lifecycle?.postStart) return { name, list, phase: 'main', gate: 'postStart hook returned', how: 'postStart hook' };
  return { name, list, phase: 'main', gate: 'started', how: 'none' };
}

/**
 * The steps in the order they start: kubelet's order, except that a wrapped container starts its
 * program only after the containers it waits for (`after`), wherever it is in the spec. Stable: steps
 * that wait for nothing, or for steps already placed, keep their places.
 */
function inStartOrder(steps: readonly TimelineStep[]): TimelineStep[] {
  const placed = new Set<string>();
  const ordered: TimelineStep[] = [];
  const pending = [...steps];
  const names = new Set(steps.map((s) => s.name));
  while (pending.length > 0) {
    // A wait for a container that is not in the pod, or a cycle, cannot be resolved: kubelet's order stands.
    const i = pending.findIndex((s) => (s.after ?? []).every((a) => placed.has(a.container) || !names.has(a.container)));
    const [next] = pending.splice(i === -1 ? 0 : i, 1);
    ordered.push(next!);
    placed.add(next!.name);
  }
  return ordered;
}

export function podTimeline(
  item: PlainObject,
  template: {
    metadata?: { annotations?: Record<string, string> | null } | null;
    spec: { containers: V1Container[]; initContainers?: V1Container[] | null; restartPolicy?: string };
  },
  path?: string,
): PodTimeline {
  const metadata = (item.metadata ?? {}) as { name?: string; namespace?: string };
  const start = [
    ...(template.spec.initContainers ?? []).map((c) => step(c, 'initContainers')),
    ...template.spec.containers.map((c) => step(c, 'containers')),
  ];
  // Sidecars an injector adds are not in the spec: the applied annotation names them, and a preset set
  // the annotations that make the injector hold the app until they are ready.
  const applied = parseApplied(template.metadata?.annotations?.[APPLIED_ANNOTATION]);
  const injected = (applied?.steps ?? []).filter((s) => s.injected);
  // An injected step that completes is the injector's own init container (Vault's vault-agent-init).
  start.unshift(
    ...injected.map((s): TimelineStep =>
      s.gate === 'completed'
        ? { name: s.container, phase: 'init', gate: 'completed', how: 'injected at admission' }
        : { name: s.container, phase: 'sidecar', gate: 'ready', how: 'injected at admission' },
    ),
  );
  const mechanism =
    applied?.mechanism ??
    MECHANISMS.find((m) => start.some((s) => s.mechanism === m.name))?.name ??
    // A hook of anyone else's (an injector's own `pilot-agent wait`) holds the next container just as
    // the postStart mechanism does: kubelet runs it to completion before it starts the next one.
    (start.some((s, i) => s.how === 'postStart hook' && start.slice(i + 1).some((n) => n.phase === 'main')) ? 'postStart' : 'none');
  // An injected sidecar is a native sidecar where the preset asked its injector for one, which kubelet
  // stops after the main containers; held by postStart, it is a main container and stops with them.
  const injectedNative = applied?.mechanism === 'native';
  const isSidecar = (s: TimelineStep): boolean => s.phase === 'sidecar' && (s.how !== 'injected at admission' || injectedNative);
  const sidecars = start.filter(isSidecar).map((s) => s.name);
  // A wrapped sidecar stays in containers, and its wrapper lets the others stop first.
  const mains = start.filter((s) => s.phase === 'main' || (s.phase === 'sidecar' && !isSidecar(s))).map((s) => s.name);
  const warnings: string[] = [];
  const holding = start.filter((s) => s.phase === 'main' && s.holdsNext);
  const gatedMains = holding.map((s) => s.name);
  if (gatedMains.length > 0 && mains.length > 1) {
    const by = [...new Set(holding.map((s) => s.mechanism))].join(', ');
    warnings.push(`kubelet stops ${gatedMains.join(', ')} together with the other main containers: ${by} cannot order the stop`);
  }
  if (runsToCompletion(template.spec) !== undefined && gatedMains.length > 0 && sidecars.length === 0) {
    warnings.push(`the pod completes only when every main container exits, ${gatedMains.join(', ')} included`);
  }
  return {
    workload: { kind: String(item.kind), name: metadata.name ?? '', ...(metadata.namespace ? { namespace: metadata.namespace } : {}) },
    ...(path !== undefined ? { path } : {}),
    mechanism,
    start: inStartOrder(start),
    // kubelet stops main containers together, then native sidecars in reverse order.
    stop: [mains, ...[...sidecars].reverse().map((s) => [s])],
    warnings,
  };
}
