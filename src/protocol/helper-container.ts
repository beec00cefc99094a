/**
 * The static helper init container: it copies busybox into the helper volume and writes the scripts
 * there, once per pod, so that each gate and wrapper carries only its flags. Its command outlives the run
 * like the others: the scripts' text travels in it, escaped for kubelet's $(VAR) expansion.
 */
import type { V1Container, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { BUSYBOX, HELPER_CONTAINER, HELPER_DIR, HELPER_VOLUME, RUN_SH, WAIT_SH } from '../runtime/helper.js';
import { RUN_SCRIPT, WAIT_SCRIPT } from '../runtime/scripts.js';
import type { QosClass } from '../workloads/qos.js';
import { escapeExpansion } from './expansion.js';

/** The helper's program: busybox's sh runs the install script, whose $0 is the helper's name. */
const PROGRAM = ['/bin/busybox', 'sh', '-c'] as const;

/**
 * BUSYBOX, then PATH TEXT pairs: every path and text is a positional parameter, never script. Each
 * script is made executable, since it runs by its #! line; it stays writable by the helper's own user,
 * so that the helper can write it again when the pod's sandbox is recreated and the init containers run
 * again over the same emptyDir, while every other container mounts the volume read-only.
 */
const INSTALL =
  '/bin/busybox cp /bin/busybox "$1" && shift && while [ $# -gt 1 ]; do printf %s "$2" >"$1" && /bin/busybox chmod 755 "$1" || exit 1; shift 2; done';

/** The scripts a pod's gates and wrappers run: only those it uses are written. */
export type HelperScript = 'wait' | 'run';

// Escaped once: every pod's helper carries them, and escaping 10 KB of script per pod was 4% of an entrypoint run.
const SCRIPTS: Readonly<Record<HelperScript, readonly string[]>> = {
  wait: [WAIT_SH, WAIT_SCRIPT].map(escapeExpansion),
  run: [RUN_SH, RUN_SCRIPT].map(escapeExpansion),
};

/** nobody: the user the helper runs as when the pod names none, since busybox's image runs as root. */
const NOBODY = 65534;

/** The largest UID the API server accepts for runAsUser. */
const MAX_UID = 2147483647;

/**
 * Pod Security Standard "restricted", plus a read-only root: the helper needs nothing more. Its user
 * is the pod's own when the pod sets a non-root `spec.securityContext.runAsUser`: the helper then sets
 * none and inherits it (as it inherits the pod's runAsGroup and fsGroup, which it never sets), because
 * admission that gives each namespace a range of UIDs (OpenShift's restricted-v2) refuses a container
 * outside it, and the pod's own is inside. Otherwise nobody: runAsNonRoot refuses busybox's root user.
 */
function restricted(podUser: unknown): NonNullable<V1Container['securityContext']> {
  const inherits = typeof podUser === 'number' && Number.isInteger(podUser) && podUser > 0 && podUser <= MAX_UID;
  return {
    runAsNonRoot: true,
    ...(inherits ? {} : { runAsUser: NOBODY }),
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

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

/** The helper's own mount of its volume, writable: it fills the volume that the others mount read-only. */
const HELPER_OWN_MOUNT: V1VolumeMount = { name: HELPER_VOLUME, mountPath: HELPER_DIR };

/** What of its pod the helper follows: the QoS class its resources keep, and the pod's runAsUser. */
export interface HelperPod {
  readonly qos: QosClass;
  /** `spec.securityContext.runAsUser` as the manifest gives it. */
  readonly runAsUser?: unknown;
}

/**
 * The helper init container, frozen and shared: a run writes the same one into most of its pods, and
 * the writer renders a frozen value and reads its text back once for all of them (render.ts, read-back.ts).
 */
export function helperContainer(image: string, scripts: readonly HelperScript[], pod: HelperPod = { qos: 'Burstable' }): V1Container {
  const securityContext = restricted(pod.runAsUser);
  const key = JSON.stringify([image, scripts, pod.qos, securityContext.runAsUser ?? null]);
  let helper = helpers.get(key);
  if (helper === undefined) {
    const resources = HELPER_RESOURCES[pod.qos];
    helper = deepFreeze({
      name: HELPER_CONTAINER,
      image,
      command: [...[...PROGRAM, INSTALL, HELPER_CONTAINER, BUSYBOX].map(escapeExpansion), ...scripts.flatMap((s) => SCRIPTS[s])],
      securityContext,
      ...(resources ? { resources: structuredClone(resources) } : {}),
      volumeMounts: [{ ...HELPER_OWN_MOUNT }],
    } as V1Container);
    if (helpers.size >= HELPERS_KEPT) helpers.clear();
    helpers.set(key, helper);
  }
  return helper;
}

/** The helpers made so far, by what tells them apart; few differ in one run (an image, the scripts, a QoS class). */
const helpers = new Map<string, V1Container>();
const HELPERS_KEPT = 64;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The fields a helper of ours may hold: those helperContainer writes, and those that change neither
 * what it runs nor what it mounts, which the API server fills in and patches often set for every
 * container. A run rewrites them away.
 */
const HELPER_FIELDS: ReadonlySet<string> = new Set([
  'name',
  'image',
  'command',
  'securityContext',
  'resources',
  'volumeMounts',
  'imagePullPolicy',
  'terminationMessagePath',
  'terminationMessagePolicy',
]);

/**
 * Whether an init container under the helper's name is one a run of ours wrote, decided by its shape
 * rather than its name: busybox's sh running an install script whose $0 is the helper's name (whatever
 * version of that script, so an older helper is still ours), with no field helperContainer does not
 * write and its one mount. Ours but outdated (another image, other scripts, resources or
 * securityContext) answers undefined, and a run rewrites it; anything else answers the field that shows
 * it is someone else's (`command`, `restartPolicy`, `volumeMounts`, ...), because rewriting it would throw
 * away what they put there, and mounting its volume into gated containers would run their program.
 */
export function foreignHelperField(container: V1Container): string | undefined {
  const command = container.command ?? [];
  if (!PROGRAM.every((word, i) => command[i] === word) || command[PROGRAM.length + 1] !== HELPER_CONTAINER) return 'command';
  const extra = Object.keys(container).find((key) => !HELPER_FIELDS.has(key));
  if (extra !== undefined) return extra;
  const mounts = container.volumeMounts ?? [];
  const own = (m: V1VolumeMount): boolean =>
    m.name === HELPER_VOLUME &&
    m.mountPath === HELPER_DIR &&
    Object.keys(m).every((key) => ['name', 'mountPath', 'readOnly'].includes(key));
  return mounts.length === 1 && own(mounts[0]!) ? undefined : 'volumeMounts';
}

/**
 * Why a volume under one of the helper's names is not one a run of ours wrote: the volume source that
 * is not an emptyDir (a hostPath, a configMap ...), which gated containers would otherwise mount and
 * run busybox and scripts from. An emptyDir of another size or medium is ours, and a run rewrites it.
 * A volume with no source is an emptyDir too: the API server defaults it so (SetDefaults_Volume).
 */
export function foreignVolumeField(volume: V1Volume): string | undefined {
  return Object.keys(volume).find((key) => key !== 'name' && key !== 'emptyDir');
}

/**
 * Whether a container's mount touches `ours` without being it: another volume at our mount path (two
 * mounts at one path: the API server refuses the pod), or our volume at another path or a subPath
 * (the gate would not find busybox or its script there). A mount equal to ours but for readOnly is ours.
 */
export function foreignMount(mount: V1VolumeMount, ours: V1VolumeMount): boolean {
  const path = (p: string): string => p.replace(/\/+$/, '');
  if (mount.name !== ours.name) return path(mount.mountPath) === path(ours.mountPath);
  return path(mount.mountPath) !== path(ours.mountPath) || Boolean(mount.subPath) || Boolean(mount.subPathExpr);
}
