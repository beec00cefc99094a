/**
 * The static helper: an injected first init container copies busybox from `helperImage` into a shared
 * in-memory emptyDir, so that gates run in any image, distroless ones included. The entrypoint wrappers
 * also share a second in-memory emptyDir, where containers leave the files others wait for.
 */
import type { V1Container, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { QosClass } from '../workloads/qos.js';

export const HELPER_CONTAINER = 'order-containers-helper';
export const HELPER_VOLUME = 'order-containers-bin';
const HELPER_DIR = '/order-containers/bin';
export const BUSYBOX = `${HELPER_DIR}/busybox`;

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
 * higher CPU limit otherwise. Its work is one copy of a 1 MB file.
 */
const HELPER_RESOURCES: Readonly<Record<QosClass, V1Container['resources'] | undefined>> = {
  BestEffort: undefined,
  Guaranteed: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '10m', memory: '16Mi' } },
  Burstable: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '16Mi' } },
};

export function helperContainer(image: string, qos: QosClass = 'Burstable'): V1Container {
  const resources = HELPER_RESOURCES[qos];
  return {
    name: HELPER_CONTAINER,
    image,
    command: ['/bin/busybox', 'cp', '/bin/busybox', BUSYBOX],
    securityContext: RESTRICTED,
    ...(resources ? { resources } : {}),
    volumeMounts: [{ name: HELPER_VOLUME, mountPath: HELPER_DIR }],
  } as V1Container;
}

export const HELPER_VOLUME_SPEC: V1Volume = { name: HELPER_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } };

export const HELPER_MOUNT: V1VolumeMount = { name: HELPER_VOLUME, mountPath: HELPER_DIR, readOnly: true };

export const RUN_VOLUME = 'order-containers-run';
const RUN_DIR = '/order-containers/run';
export const RUN_VOLUME_SPEC: V1Volume = { name: RUN_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } };
export const RUN_MOUNT: V1VolumeMount = { name: RUN_VOLUME, mountPath: RUN_DIR };

/** Where a pod's scripts find busybox and the run folder; tests point them at a stand-in node. */
export interface RuntimePaths {
  readonly busybox: string;
  readonly runDir: string;
}

export const POD_PATHS: RuntimePaths = { busybox: BUSYBOX, runDir: RUN_DIR };
