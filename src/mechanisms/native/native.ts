/**
 * Native sidecars (Kubernetes 1.29+, beta and on by default; GA in 1.33): declared sidecars become init
 * containers with `restartPolicy: Always`. kubelet starts each once the one before it has started (or
 * passed its startupProbe), keeps them running beside the main containers, stops them after the main
 * containers in reverse order, and does not wait for them for a Job to complete.
 */
import type { Mechanism } from '../mechanism.js';
import { kubeletOrder } from '../kubelet-order.js';

export const native = {
  name: 'native',
  available: (cluster) => cluster.major > 1 || cluster.minor >= 29,
  compile: (pod) => kubeletOrder(pod, true),
  recognise(container, list) {
    if (list !== 'initContainers' || container.restartPolicy !== 'Always') return undefined;
    return container.startupProbe
      ? { phase: 'sidecar', gate: 'ready (startupProbe)', how: 'native sidecar' }
      : { phase: 'sidecar', gate: 'started', how: 'native sidecar' };
  },
  injection: 'native',
  stopsJobSidecars: true,
} as const satisfies Mechanism<'native'>;
