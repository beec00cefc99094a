/**
 * Which probe tells that a container is ready, and the check the static helper runs for it: one
 * decision for every mechanism (postStart gates, wrappers, native startupProbes) and every preset.
 */
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import { CHECK_KINDS, type ReadinessCheck } from './kinds.js';

/** Where the probe that tells readiness comes from: the container's own, or a preset's. */
type ProbeSource = 'readinessProbe' | 'startupProbe' | 'preset';

export interface ReadinessProbe {
  readonly probe: V1Probe;
  readonly source: ProbeSource;
}

/**
 * The probe that says a container is ready for the next ones to start, the same for every mechanism:
 * its startupProbe, which is what kubelet itself waits for before it starts the container after a
 * native sidecar (computeInitContainerActions, pkg/kubelet/kuberuntime/kuberuntime_container.go), else
 * its readinessProbe (from which native derives that startupProbe), else what a preset knows.
 */
export function readinessProbeOf(container: V1Container, presetProbe?: V1Probe): ReadinessProbe | undefined {
  if (container.startupProbe) return { probe: container.startupProbe, source: 'startupProbe' };
  if (container.readinessProbe) return { probe: container.readinessProbe, source: 'readinessProbe' };
  return presetProbe ? { probe: presetProbe, source: 'preset' } : undefined;
}

export interface Readiness {
  readonly check: ReadinessCheck;
  /** How long one attempt may take: the probe's timeoutSeconds, as kubelet gives each probe. */
  readonly attemptSeconds: number;
}

export type ReadinessOutcome =
  | ({ readonly kind: 'check' } & Readiness)
  /** `field` is relative to the container: the probe the helper cannot run, or the container itself. */
  | { readonly kind: 'problem'; readonly message: string; readonly field?: string };

/** The check of the probe that tells the container's readiness, or why there is none to run. */
/** kubelet's probe timeoutSeconds when none is given (the API default), which check.sh assumes too. */
export const DEFAULT_PROBE_TIMEOUT_SECONDS = 1;

/** How long one try of a probe may take, as kubelet runs it: its timeoutSeconds, at least 1 s. */
function attemptSecondsOf(probe: V1Probe): number {
  return Math.max(1, probe.timeoutSeconds ?? DEFAULT_PROBE_TIMEOUT_SECONDS);
}

export function readinessOf(container: V1Container, presetProbe?: V1Probe): ReadinessOutcome {
  const found = readinessProbeOf(container, presetProbe);
  if (!found)
    return { kind: 'problem', message: `${container.name} has no readinessProbe or startupProbe to tell`, field: 'readinessProbe' };
  const field = found.source === 'preset' ? undefined : found.source;
  const at = field === undefined ? {} : { field };
  for (const kind of CHECK_KINDS) {
    const check = kind.fromProbe(found.probe, container);
    if (check === undefined) continue;
    if (typeof check === 'string') return { kind: 'problem', message: check, ...at };
    const timeout = found.probe.timeoutSeconds ?? DEFAULT_PROBE_TIMEOUT_SECONDS;
    // It reaches the scripts as a number: a whole one, as the API server requires, or nothing.
    if (!Number.isSafeInteger(timeout)) {
      return {
        kind: 'problem',
        message: `the probe's timeoutSeconds is ${JSON.stringify(timeout)}, not whole seconds`,
        ...(field ? { field: `${field}.timeoutSeconds` } : {}),
      };
    }
    return { kind: 'check', check, attemptSeconds: attemptSecondsOf(found.probe) };
  }
  const message = found.probe.grpc
    ? 'a grpc probe cannot be checked by the static helper; give the container an http, tcp or exec readinessProbe'
    : 'the probe has no handler to check';
  return { kind: 'problem', message, ...at };
}

/**
 * The startupProbe that gates the containers after a native sidecar others wait on to be Ready: kubelet
 * starts the next container once a restartable init container's startupProbe succeeds, ignores
 * readiness there, and when the probe fails kills the sidecar and starts it again, never the next one
 * (computeInitContainerActions, pkg/kubelet/kuberuntime/kuberuntime_container.go: "Init container %s
 * failed startup probe"), so the pod stays in Init while the sidecar is restarted.
 *
 * Its failures span about `timeoutSeconds` after the sidecar starts. kubelet's prober worker
 * (pkg/kubelet/prober/worker.go, run and doProbe) probes synchronously and then waits for the next tick
 * of a ticker of periodSeconds, which drops the ticks that passed while a probe ran: one try takes
 * max(periodSeconds, the probe's time), at most max(periodSeconds, probe timeoutSeconds); doProbe skips
 * the tries before initialDelaySeconds, and the sidecar fails after failureThreshold failed tries in a
 * row. So the bound is initialDelaySeconds + failureThreshold × max(periodSeconds, probe timeout), with
 * no initial delay and periodSeconds equal to the probe's timeout (at least 1 s, the API minimum), a try
 * takes that long whether it fails at once (a refused connection) or times out, and
 * failureThreshold = ceil(timeoutSeconds / attempt) makes the bound timeoutSeconds, rounded up to a
 * whole attempt.
 */
export function startupProbeFrom(readiness: V1Probe, timeoutSeconds: number): V1Probe {
  const { timeoutSeconds: probeTimeout } = readiness;
  const attempt = attemptSecondsOf(readiness);
  return {
    ...handlersOf(readiness),
    ...(probeTimeout !== undefined ? { timeoutSeconds: probeTimeout } : {}),
    periodSeconds: attempt,
    failureThreshold: Math.max(1, Math.ceil(timeoutSeconds / attempt)),
  };
}

function handlersOf({ exec, grpc, httpGet, tcpSocket }: V1Probe): V1Probe {
  return { ...(exec ? { exec } : {}), ...(grpc ? { grpc } : {}), ...(httpGet ? { httpGet } : {}), ...(tcpSocket ? { tcpSocket } : {}) };
}

/**
 * Whether a container's startupProbe is one this function derived from `source` (its readinessProbe,
 * or a preset's probe), for any timeoutSeconds, and so is rewritten on every run, so that a new
 * timeoutSeconds reaches it: startupProbeFrom(source, T) for some T, or the form earlier versions
 * wrote (the source's initialDelaySeconds, periodSeconds 1, any failureThreshold). Any other
 * startupProbe is the user's and stays as it is.
 */
function isDerivedStartupProbe(probe: V1Probe, source: V1Probe): boolean {
  const { failureThreshold, ...rest } = probe;
  if (failureThreshold === undefined || !Number.isSafeInteger(failureThreshold) || failureThreshold < 1) return false;
  const { failureThreshold: _, ...today } = startupProbeFrom(source, 1);
  const { initialDelaySeconds, timeoutSeconds } = source;
  const earlier: V1Probe = {
    ...handlersOf(source),
    ...(initialDelaySeconds !== undefined ? { initialDelaySeconds } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    periodSeconds: 1,
  };
  return sameProbe(rest, today) || sameProbe(rest, earlier);
}

/**
 * The startupProbe to write on a native sidecar others wait on to be Ready, derived from its
 * readinessProbe (else `presetProbe`) with today's timeoutSeconds, or undefined when there is nothing
 * to write: it is already in place, the user wrote one of their own, or there is no probe to derive it from.
 */
export function derivedStartupProbe(container: V1Container, presetProbe: V1Probe | undefined, timeoutSeconds: number): V1Probe | undefined {
  const source = container.readinessProbe ?? presetProbe;
  if (!source) return undefined;
  const existing = container.startupProbe;
  if (existing && !isDerivedStartupProbe(existing, source)) return undefined;
  const probe = startupProbeFrom(source, timeoutSeconds);
  return existing && sameProbe(existing, probe) ? undefined : probe;
}

/**
 * Whether the container's startupProbe is one this function derived (from its readinessProbe, else
 * `presetProbe`): an earlier run's, which goes once no container waits for this one to be Ready.
 */
export function hasDerivedStartupProbe(container: V1Container, presetProbe: V1Probe | undefined): boolean {
  const source = container.readinessProbe ?? presetProbe;
  return source !== undefined && container.startupProbe !== undefined && isDerivedStartupProbe(container.startupProbe, source);
}

/** Two probes as JSON values, whatever the order of their keys. */
function sameProbe(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameProbe((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
