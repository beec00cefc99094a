import type { V1Container } from '@kubernetes/client-node';
import { APPLIED_ANNOTATION } from '../function.js';
import type { PlainObject } from '../resource-list/read.js';
import { runsToCompletion } from '../plan/pod-plan.js';
import { parseWrapper, waitsOf } from '../runtime/entrypoint.js';
import { isOurHook } from '../runtime/helper.js';

/**
 * What a pod spec will do, read from the spec alone, so that it answers for any manifest, ordered by
 * this function or by hand: native sidecars, postStart hooks and init containers are recognised.
 */
export type Phase = 'init' | 'sidecar' | 'main';

export interface TimelineStep {
  readonly name: string;
  readonly phase: Phase;
  /** What kubelet waits for before it starts the next container. */
  readonly gate: string;
  /** How that wait is made. */
  readonly mechanism: 'init container' | 'native sidecar' | 'postStart wait' | 'postStart hook' | 'entrypoint wrapper' | 'injected at admission' | 'none';
  /**
   * For a wrapped container, what it waits for itself (`migrate completed`), whatever kubelet started
   * before it; the others wait for the container started before them.
   */
  readonly after?: readonly string[];
}

export interface PodTimeline {
  readonly workload: { readonly kind: string; readonly name: string; readonly namespace?: string };
  /** `native`, `postStart` or `none`: from order-containers.dev/applied, else read off the spec. */
  readonly mechanism: string;
  readonly start: readonly TimelineStep[];
  /** Groups stopped together, in order. */
  readonly stop: readonly (readonly string[])[];
  readonly warnings: readonly string[];
}

function waitTimeout(command: readonly string[]): string {
  // Our hook: BUSYBOX sh -c SCRIPT $0 BUSYBOX NAME TIMEOUT ...
  return command[7] ?? '?';
}

/** One container's step; `list` says where it is, and a wrapped sidecar in `containers` is a sidecar. */
function step(container: V1Container, list: 'init' | 'restartable init' | 'main'): TimelineStep {
  const name = container.name;
  if (list === 'init') return { name, phase: 'init', gate: 'completed', mechanism: 'init container' };
  const wrapper = parseWrapper(container.command);
  if (wrapper) {
    const phase = list === 'restartable init' || wrapper.directives.some((d) => d.kind === 'sidecar') ? 'sidecar' : 'main';
    const ready = wrapper.directives.some((d) => d.kind === 'ready');
    return { name, phase, gate: ready ? 'ready' : 'started', mechanism: 'entrypoint wrapper', after: waitsOf(wrapper.directives) };
  }
  if (list === 'restartable init') {
    return container.startupProbe
      ? { name, phase: 'sidecar', gate: 'ready (startupProbe)', mechanism: 'native sidecar' }
      : { name, phase: 'sidecar', gate: 'started', mechanism: 'native sidecar' };
  }
  const phase = 'main';
  const hook = container.lifecycle?.postStart;
  if (hook?.exec?.command && isOurHook(hook.exec.command)) {
    return { name, phase, gate: `ready, timeout ${waitTimeout(hook.exec.command)}s`, mechanism: 'postStart wait' };
  }
  if (hook) return { name, phase, gate: 'postStart hook returned', mechanism: 'postStart hook' };
  return { name, phase, gate: 'started', mechanism: 'none' };
}

/**
 * Sidecars an injector adds are not in the spec: the applied annotation names them
 * (`native: istio-proxy(injected) -> app`), and a preset set the annotations that make the injector
 * hold the app until they are ready.
 */
function injectedSidecars(applied: string | undefined): TimelineStep[] {
  const order = applied?.slice(applied.indexOf(':') + 1).split(' -> ') ?? [];
  return order.flatMap((entry) => {
    const m = /^\s*([a-z0-9-]+)\(injected\)$/.exec(entry);
    return m ? [{ name: m[1]!, phase: 'sidecar' as const, gate: 'ready', mechanism: 'injected at admission' as const }] : [];
  });
}

export function podTimeline(
  item: PlainObject,
  template: { metadata?: { annotations?: Record<string, string> | null } | null; spec: { containers: V1Container[]; initContainers?: V1Container[] | null; restartPolicy?: string } },
): PodTimeline {
  const metadata = (item.metadata ?? {}) as { name?: string; namespace?: string };
  const inits = template.spec.initContainers ?? [];
  const start = [
    ...inits.map((c) => step(c, c.restartPolicy === 'Always' ? 'restartable init' : 'init')),
    ...template.spec.containers.map((c) => step(c, 'main')),
  ];
  const applied = template.metadata?.annotations?.[APPLIED_ANNOTATION];
  start.unshift(...injectedSidecars(applied));
  const mechanism = applied?.split(':')[0] ?? (start.some((s) => s.mechanism === 'native sidecar') ? 'native' : start.some((s) => s.mechanism === 'postStart wait') ? 'postStart' : start.some((s) => s.mechanism === 'entrypoint wrapper') ? 'entrypoint' : 'none');
  // How an injector stops its sidecar is the injector's business: the stop order names what is in the spec.
  const sidecars = start.filter((s) => s.phase === 'sidecar' && s.mechanism !== 'injected at admission').map((s) => s.name);
  // A wrapped sidecar stays in containers, and its wrapper lets the others stop first.
  const mains = start.filter((s) => s.phase === 'main').map((s) => s.name);
  const warnings: string[] = [];
  const gatedMains = start.filter((s) => s.phase === 'main' && s.mechanism === 'postStart wait').map((s) => s.name);
  if (gatedMains.length > 0 && mains.length > 1) {
    warnings.push(`kubelet stops ${gatedMains.join(', ')} together with the other main containers: postStart cannot order the stop`);
  }
  if (runsToCompletion(template.spec) !== undefined && gatedMains.length > 0 && sidecars.length === 0) {
    warnings.push(`the pod completes only when every main container exits, ${gatedMains.join(', ')} included`);
  }
  return {
    workload: { kind: String(item.kind), name: metadata.name ?? '', ...(metadata.namespace ? { namespace: metadata.namespace } : {}) },
    mechanism,
    start,
    // kubelet stops main containers together, then native sidecars in reverse order.
    stop: [mains, ...[...sidecars].reverse().map((s) => [s])],
    warnings,
  };
}
