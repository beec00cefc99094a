/**
 * The static helper init container: it copies busybox into the helper volume and writes the scripts
 * there, once per pod, so that each gate and wrapper carries only its flags. Its command outlives the run
 * like the others: the scripts' text travels in it, escaped for kubelet's $(VAR) expansion.
 */
import type { V1Container } from '@kubernetes/client-node';
import { BUSYBOX, HELPER_CONTAINER, HELPER_DIR, HELPER_VOLUME, RUN_SH, WAIT_SH } from '../runtime/helper.js';
import { RUN_SCRIPT, WAIT_SCRIPT } from '../runtime/scripts.js';
import type { QosClass } from '../workloads/qos.js';
import { escapeExpansion } from './expansion.js';

/** BUSYBOX, then PATH TEXT pairs: every path and text is a positional parameter, never script. */
const INSTALL = '/bin/busybox cp /bin/busybox "$1" && shift && while [ $# -gt 1 ]; do printf %s "$2" >"$1" || exit 1; shift 2; done';

/** The scripts a pod's gates and wrappers run: only those it uses are written. */
export type HelperScript = 'wait' | 'run';

const SCRIPTS: Readonly<Record<HelperScript, readonly [string, string]>> = { wait: [WAIT_SH, WAIT_SCRIPT], run: [RUN_SH, RUN_SCRIPT] };

/** Pod Security Standard "restricted", plus a read-only root: the helper needs nothing more. */
const RESTRICTED = {
  runAsNonRoot: true,
  runAsUser: 65534,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/**
 * The helper's resources never change the pod's QoS class, which counts init containers (GetPodQOS):
 * none in a BestEffort pod, requests equal to limits in a Guaranteed one, a small request under a
 * higher CPU limit otherwise. Its work is one copy of a 1 MB file and two small writes.
 */
const HELPER_RESOURCES: Readonly<Record<QosClass, V1Container['resources'] | undefined>> = {
  BestEffort: undefined,
  Guaranteed: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '10m', memory: '16Mi' } },
  Burstable: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '16Mi' } },
};

export function helperContainer(image: string, scripts: readonly HelperScript[], qos: QosClass = 'Burstable'): V1Container {
  const resources = HELPER_RESOURCES[qos];
  return {
    name: HELPER_CONTAINER,
    image,
    command: ['/bin/busybox', 'sh', '-c', INSTALL, HELPER_CONTAINER, BUSYBOX, ...scripts.flatMap((s) => SCRIPTS[s])].map(escapeExpansion),
    securityContext: RESTRICTED,
    ...(resources ? { resources } : {}),
    volumeMounts: [{ name: HELPER_VOLUME, mountPath: HELPER_DIR }],
  } as V1Container;
}
