/**
 * Native sidecars (Kubernetes 1.29+, beta and on by default; GA in 1.33): declared sidecars become init
 * containers with `restartPolicy: Always`. kubelet starts each once the one before it has started (or
 * passed its startupProbe), keeps them running beside the main containers, stops them after the main
 * containers in reverse order, and does not wait for them for a Job to complete.
 */
import { error, type Diagnostic } from '../../diagnostic.js';
import type { KubernetesVersion, Mechanism, PodContext } from '../mechanism.js';
import { kubeletOrder } from '../kubelet-order.js';
import { containerField } from '../../workloads/pods.js';
import { HELPER_CONTAINER } from '../../runtime/helper.js';

/** Native sidecars are on by default from 1.29 (beta; GA in 1.33). */
const available = (cluster: KubernetesVersion): boolean => cluster.major > 1 || cluster.minor >= 29;

/**
 * Init containers with `restartPolicy: Always` already in the pod (by hand, or by an earlier run for a
 * newer cluster) where the kubelets lack native sidecars: 1.28 with its default feature gates drops the
 * field, then rejects their probes and hooks or runs them as ordinary init containers that never
 * finish, and 1.27 rejects the field. Refused, naming each one, since nothing else can keep them.
 */
export function unsupportedNativeSidecars(pod: PodContext): Diagnostic[] {
  if (available(pod.cluster)) return [];
  return (pod.podSpec.initContainers ?? []).flatMap((c, i) =>
    c.restartPolicy === 'Always'
      ? [
          error(
            `${c.name} is a native sidecar (an init container with restartPolicy Always), which kubelets before 1.29 do not run; make it a main container, or raise kubernetesVersion`,
            `${containerField('initContainers', i)}.restartPolicy`,
          ),
        ]
      : [],
  );
}

/**
 * Where sidecars stay main containers (postStart, entrypoint), kubelet runs every init container to
 * completion before it starts any main container, so the pod's own init containers cannot use its
 * sidecars; said, since results would otherwise read as if the sidecars came first.
 */
export function initContainersBeforeSidecars(pod: PodContext): Diagnostic[] {
  const sidecars = pod.podSpec.containers.map((c) => c.name).filter((n) => pod.graph.sidecars.has(n));
  const inits = (pod.podSpec.initContainers ?? [])
    .filter((c) => c.restartPolicy !== 'Always' && c.name !== HELPER_CONTAINER && !pod.hints.initsFirst.has(c.name))
    .map((c) => c.name);
  if (sidecars.length === 0 || inits.length === 0) return [];
  return [
    {
      severity: 'warning',
      message: `init ${inits.length === 1 ? 'container' : 'containers'} ${inits.join(', ')} ${inits.length === 1 ? 'runs' : 'run'} to completion before ${sidecars.join(', ')} ${sidecars.length === 1 ? 'starts' : 'start'}, so ${inits.length === 1 ? 'it' : 'they'} cannot use ${sidecars.length === 1 ? 'it' : 'them'}: only native sidecars (Kubernetes 1.29+) start before init containers`,
      field: 'spec.initContainers',
    },
  ];
}

export const native = {
  name: 'native',
  available,
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
