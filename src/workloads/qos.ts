/**
 * A pod's QoS class, as kubelet and the API server compute it (GetPodQOS,
 * pkg/apis/core/v1/helper/qos/qos.go), read from the pod template before the API server's defaulting:
 * a container's missing request defaults to its limit. Only cpu and memory count.
 */
import type { V1Container } from '@kubernetes/client-node';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const SUFFIXES: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A resource quantity as a number (resource.Quantity's forms: suffixes and exponents); NaN when unreadable. */
function quantity(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return Number.NaN;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$/.exec(value.trim());
  if (!m) return Number.NaN;
  return Number(m[1]! + (m[2] ?? '')) * SUFFIXES[m[3] ?? '']!;
}

const COMPUTE = ['cpu', 'memory'] as const;

export function qosClassOf(containers: readonly V1Container[]): QosClass {
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const requests = (c.resources?.requests ?? {}) as Record<string, unknown>;
    const limits = (c.resources?.limits ?? {}) as Record<string, unknown>;
    for (const name of COMPUTE) {
      const request = requests[name] !== undefined ? quantity(requests[name]) : undefined;
      const limit = limits[name] !== undefined ? quantity(limits[name]) : undefined;
      if ((request ?? 0) !== 0 || (limit ?? 0) !== 0) any = true;
      // Guaranteed: every container limits cpu and memory, and requests (defaulted to the limit) equal them.
      if (limit === undefined || limit === 0 || (request !== undefined && request !== limit)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
