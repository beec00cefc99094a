/**
 * Native sidecars (Kubernetes 1.29+, beta and on by default; GA in 1.33): declared sidecars become init
 * containers with `restartPolicy: Always`. kubelet starts each once the one before it has started (or
 * passed its startupProbe), keeps them running beside the main containers, stops them after the main
 * containers in reverse order, and does not wait for them for a Job to complete.
 */
import { error, type Diagnostic } from '../../diagnostic.js';
import type { KubernetesVersion, Mechanism, MechanismPlan, PodContext } from '../mechanism.js';
import { kubeletOrder } from '../kubelet-order.js';
import { containerField } from '../../workloads/pods.js';
import { HELPER_CONTAINER } from '../../runtime/helper.js';

const atLeast = (cluster: KubernetesVersion, minor: number): boolean => cluster.major > 1 || cluster.minor >= minor;

/** Native sidecars are on by default from 1.29 (beta; GA in 1.33). */
const available = (cluster: KubernetesVersion): boolean => atLeast(cluster, 29);

/**
 * In-place resize of sidecars (InPlacePodVerticalScaling, beta and on by default from 1.33;
 * kubernetes#128367) is what lets a restartable init container keep `resizePolicy`. Before, the API
 * server's validateInitContainers (pkg/apis/core/validation/validation.go) refused resizePolicy on
 * every init container ("must not be set for init containers"), and with the alpha gate off, the
 * default, dropDisabledFields (pkg/api/pod/util.go) drops it; 1.32's AllowSidecarResizePolicy
 * (kubernetes#128754) relaxes the check only with that alpha gate on.
 */
const SIDECAR_RESIZE_POLICY = 33;

/**
 * A Service's named `targetPort` is turned into a number by FindPort, which looked in `spec.containers`
 * only: the Endpoints controller's (pkg/api/v1/pod/util.go) learnt restartable init containers in 1.32
 * (kubernetes#127976), the EndpointSlice controller's own copy (staging/src/k8s.io/endpointslice/util,
 * what kube-proxy reads) only in 1.33 (kubernetes#128850, not backported).
 */
const SIDECAR_NAMED_PORTS = 33;

/**
 * What a sidecar moved from `spec.containers` into `spec.initContainers` would lose. kubelet builds the
 * pod sandbox's port mappings from `spec.containers` alone (generatePodSandboxConfig,
 * pkg/kubelet/kuberuntime/kuberuntime_sandbox.go, to this day), so a host port of a sidecar there is
 * never published; before 1.33 the API server does not keep its `resizePolicy`, and a Service that
 * targets one of its ports by name no longer reaches it. Refused, naming the field, so that `auto`
 * orders the pod with a mechanism that keeps the sidecar a main container; a named port that no
 * Service in the list targets is only warned about, since one elsewhere may.
 */
function movedSidecarLimits(pod: PodContext): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const { outliving } = pod;
  pod.podSpec.containers.forEach((c, i) => {
    if (!outliving.has(c.name)) return;
    const at = containerField('containers', i);
    (c.ports ?? []).forEach((port, j) => {
      if (!port.hostPort) return;
      problems.push(
        error(
          `${c.name} would become a native sidecar (an init container), and kubelet publishes host ports of spec.containers only, so hostPort ${port.hostPort} would never be published; remove the hostPort, or order ${c.name} with another strategy`,
          `${at}.ports[${j}].hostPort`,
        ),
      );
    });
    if (!atLeast(pod.cluster, SIDECAR_NAMED_PORTS)) {
      (c.ports ?? []).forEach((port, j) => {
        if (!port.name) return;
        const service = pod.serviceTargetPorts.get(port.name);
        const resolves = `before 1.33 the EndpointSlice controller looks named ports up in spec.containers only`;
        problems.push(
          service !== undefined
            ? error(
                `Service ${service} targets port ${port.name} of ${c.name} by name, and ${resolves}, so the Service would not reach ${c.name} as a native sidecar; target port ${port.containerPort} by number, or raise kubernetesVersion to 1.33`,
                `${at}.ports[${j}].name`,
              )
            : {
                severity: 'warning',
                message: `port ${port.name} of ${c.name} moves to spec.initContainers with it, and ${resolves}: a Service elsewhere that targets it by name would not reach ${c.name}; target port ${port.containerPort} by number`,
                field: `${at}.ports[${j}].name`,
              },
        );
      });
    }
    if ((c.resizePolicy?.length ?? 0) > 0 && !atLeast(pod.cluster, SIDECAR_RESIZE_POLICY)) {
      problems.push(
        error(
          `${c.name} would become a native sidecar (an init container), and API servers before 1.33 do not keep resizePolicy on an init container (they drop it by default, and may reject it with the alpha InPlacePodVerticalScaling gate on); remove it, or raise kubernetesVersion to 1.33`,
          `${at}.resizePolicy`,
        ),
      );
    }
  });
  return problems;
}

function compile(pod: PodContext): MechanismPlan {
  const limits = movedSidecarLimits(pod);
  const order = kubeletOrder(pod, true);
  if (limits.some((d) => d.severity === 'error')) return { edits: [], steps: [], diagnostics: [...limits, ...order.diagnostics] };
  return { ...order, diagnostics: [...order.diagnostics, ...limits, ...stayingMain(pod)] };
}

/**
 * kubelet stops native sidecars only after the main containers have exited (newTerminationOrdering,
 * pkg/kubelet/kuberuntime/kuberuntime_termination_order.go: each restartable init container waits for
 * every main container, then for the sidecars after it, before its turn to be killed), so a sidecar
 * that stops with them stays a main container, started first: said, since the start order alone reads
 * like any main container's.
 */
function stayingMain(pod: PodContext): Diagnostic[] {
  const { outliving } = pod;
  const staying = pod.podSpec.containers.map((c) => c.name).filter((n) => pod.graph.sidecars.has(n) && !outliving.has(n));
  if (staying.length === 0) return [];
  const one = staying.length === 1;
  return [
    {
      severity: 'info',
      message: `${staying.join(', ')} ${one ? 'stops' : 'stop'} with the other containers (stop: with), so ${one ? 'it stays a main container' : 'they stay main containers'}, started first, not ${one ? 'a native sidecar' : 'native sidecars'}, which kubelet stops only after the others have exited`,
    },
  ];
}

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
  compile,
  recognise(container, list) {
    if (list !== 'initContainers' || container.restartPolicy !== 'Always') return undefined;
    return container.startupProbe
      ? { phase: 'sidecar', gate: 'ready (startupProbe)', how: 'native sidecar' }
      : { phase: 'sidecar', gate: 'started', how: 'native sidecar' };
  },
  injection: 'native',
  stopsJobSidecars: true,
} as const satisfies Mechanism<'native'>;
