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
/**
 * One folder holds the helper's volume (bin) and the run volume (run), so that a script finds busybox
 * beside itself and the run folder at ../run (runtime/run-folder.sh), and no command carries either path.
 */
const ROOT = '/order-containers';
export const HELPER_DIR = `${ROOT}/bin`;
export const BUSYBOX = `${HELPER_DIR}/busybox`;
/** The scripts, written once per pod by the helper (runtime/scripts.ts holds their text), run by their paths. */
export const WAIT_SH = `${HELPER_DIR}/wait.sh`;
export const RUN_SH = `${HELPER_DIR}/run.sh`;

export const HELPER_VOLUME_SPEC: V1Volume = { name: HELPER_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } };

export const HELPER_MOUNT: V1VolumeMount = { name: HELPER_VOLUME, mountPath: HELPER_DIR, readOnly: true };

export const RUN_VOLUME = 'order-containers-run';
const RUN_DIR = `${ROOT}/run`;
export const RUN_VOLUME_SPEC: V1Volume = { name: RUN_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } };
export const RUN_MOUNT: V1VolumeMount = { name: RUN_VOLUME, mountPath: RUN_DIR };
