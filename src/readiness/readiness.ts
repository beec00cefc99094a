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
    const timeout = found.probe.timeoutSeconds ?? 1;
    // It reaches the scripts as a number: a whole one, as the API server requires, or nothing.
    if (!Number.isSafeInteger(timeout)) {
      return {
        kind: 'problem',
        message: `the probe's timeoutSeconds is ${JSON.stringify(timeout)}, not whole seconds`,
        ...(field ? { field: `${field}.timeoutSeconds` } : {}),
      };
    }
    return { kind: 'check', check, attemptSeconds: Math.max(1, timeout) };
  }
  const message = found.probe.grpc
    ? 'a grpc probe cannot be checked by the static helper; give the container an http, tcp or exec readinessProbe'
    : 'the probe has no handler to check';
  return { kind: 'problem', message, ...at };
}

/**
 * kubelet starts the next container once a restartable init container's startupProbe succeeds; it
 * ignores readiness there (computeInitContainerActions, pkg/kubelet/kuberuntime/kuberuntime_container.go).
 * Probing every second for `timeoutSeconds` tries keeps the wait short and bounded by the configured
 * timeout.
 */
export function startupProbeFrom(readiness: V1Probe, timeoutSeconds: number): V1Probe {
  const { exec, grpc, httpGet, tcpSocket, initialDelaySeconds, timeoutSeconds: probeTimeout } = readiness;
  return {
    ...(exec ? { exec } : {}),
    ...(grpc ? { grpc } : {}),
    ...(httpGet ? { httpGet } : {}),
    ...(tcpSocket ? { tcpSocket } : {}),
    ...(initialDelaySeconds !== undefined ? { initialDelaySeconds } : {}),
    ...(probeTimeout !== undefined ? { timeoutSeconds: probeTimeout } : {}),
    periodSeconds: 1,
    failureThreshold: timeoutSeconds,
  };
}
