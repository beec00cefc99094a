/**
 * Where the static helper puts things: an injected first init container copies busybox from
 * `helperImage`, and writes our scripts once per pod, into a shared in-memory emptyDir, so that gates
 * run in any image, distroless ones included (the container itself: protocol/helper-container.ts). The
 * entrypoint wrappers also share a second in-memory emptyDir, where containers leave the files others
 * wait for.
 */
import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';

export const HELPER_CONTAINER = 'order-containers-helper';
export const HELPER_VOLUME = 'order-containers-bin';
export const HELPER_DIR = '/order-containers/bin';
export const BUSYBOX = `${HELPER_DIR}/busybox`;
/** The scripts, written once per pod by the helper (runtime/scripts.ts holds their text). */
export const WAIT_SH = `${HELPER_DIR}/wait.sh`;
export const RUN_SH = `${HELPER_DIR}/run.sh`;

export const HELPER_VOLUME_SPEC: V1Volume = { name: HELPER_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } };

export const HELPER_MOUNT: V1VolumeMount = { name: HELPER_VOLUME, mountPath: HELPER_DIR, readOnly: true };

export const RUN_VOLUME = 'order-containers-run';
const RUN_DIR = '/order-containers/run';
export const RUN_VOLUME_SPEC: V1Volume = { name: RUN_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } };
export const RUN_MOUNT: V1VolumeMount = { name: RUN_VOLUME, mountPath: RUN_DIR };

/** Where a pod's scripts find busybox, themselves and the run folder; tests point them at a stand-in node. */
export interface RuntimePaths {
  readonly busybox: string;
  readonly runDir: string;
  readonly runScript: string;
  readonly waitScript: string;
}

export const POD_PATHS: RuntimePaths = { busybox: BUSYBOX, runDir: RUN_DIR, runScript: RUN_SH, waitScript: WAIT_SH };
