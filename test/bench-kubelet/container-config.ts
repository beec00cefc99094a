/**
 * What kubelet makes of a container spec before the runtime sees it: the process's argv, env, user,
 * working directory and mounts, and the pod's volumes. Pure functions of the pod, the image and the
 * objects of the same manifest (the bench has no API server: a ConfigMap or Secret it does not find
 * there is taken to exist, empty, and a key of it reads as a placeholder).
 */
import type { V1Container, V1PodSpec, V1Volume } from '@kubernetes/client-node';
import { expand } from './expansion.js';
import type { ImageSpec } from './image-spec.js';
import { DEFAULT_PATH } from './images.js';
import type { Mount, VolumeSource } from './runtime.js';

/** The objects of the manifest a pod can read: ConfigMaps and Secrets by namespace/name. */
export interface ManifestObjects {
  readonly configMaps: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly secrets: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

export interface PodIdentity {
  readonly name: string;
  readonly namespace: string;
  readonly podIP: string;
  readonly serviceAccountName: string;
}

const NODE_NAME = 'bench-node';

/** A reference the bench cannot see is read as this, so the container still starts. */
function placeholder(kind: string, name: string, key: string): string {
  return `bench-${kind}-${name}-${key}`;
}

function fieldValue(path: string, pod: PodIdentity): string {
  switch (path) {
    case 'metadata.name':
      return pod.name;
    case 'metadata.namespace':
      return pod.namespace;
    case 'status.podIP':
    case 'status.podIPs':
      return pod.podIP;
    case 'spec.nodeName':
      return NODE_NAME;
    case 'status.hostIP':
    case 'status.hostIPs':
      return '127.0.0.1';
    case 'spec.serviceAccountName':
      return pod.serviceAccountName;
    default:
      return '';
  }
}

/**
 * The container's environment as kubelet builds it (kubelet_pods.go makeEnvironmentVariables): envFrom
 * first, then env in order, each value with `$(VAR)` expanded against what came before; the image's ENV
 * lies under it (the runtime merges them, the container's winning).
 */
export function containerEnv(container: V1Container, image: ImageSpec, pod: PodIdentity, objects: ManifestObjects): [string, string][] {
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const data = from.configMapRef
      ? objects.configMaps.get(`${pod.namespace}/${ref?.name}`)
      : objects.secrets.get(`${pod.namespace}/${ref?.name}`);
    for (const [k, v] of Object.entries(data ?? {})) env.set(`${from.prefix ?? ''}${k}`, v);
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env.set(e.name, expand(e.value, env));
    else if (e.valueFrom?.fieldRef) env.set(e.name, fieldValue(e.valueFrom.fieldRef.fieldPath, pod));
    else if (e.valueFrom?.configMapKeyRef) {
      const { name, key } = e.valueFrom.configMapKeyRef;
      env.set(e.name, objects.configMaps.get(`${pod.namespace}/${name}`)?.[key] ?? placeholder('configmap', name ?? '', key));
    } else if (e.valueFrom?.secretKeyRef) {
      const { name, key } = e.valueFrom.secretKeyRef;
      env.set(e.name, objects.secrets.get(`${pod.namespace}/${name}`)?.[key] ?? placeholder('secret', name ?? '', key));
    } else if (e.valueFrom?.resourceFieldRef) env.set(e.name, '1');
    else env.set(e.name, '');
  }
  const merged = new Map<string, string>([['PATH', DEFAULT_PATH], ...Object.entries(image.env ?? {}), ['HOSTNAME', pod.name]]);
  for (const [k, v] of env) merged.set(k, v);
  return [...merged];
}

/**
 * The process's argv: the container's command, else the image's ENTRYPOINT; with the container's args,
 * else (only when the container sets no command) the image's CMD. kubelet expands `$(VAR)` in command
 * and args with the container's env (kubecontainer.ExpandContainerCommandAndArgs); the runtime merges
 * with the image (containerd WithImageConfigArgs), and an empty result fails the start.
 */
export function containerArgv(container: V1Container, image: ImageSpec, env: ReadonlyMap<string, string>): string[] {
  const command = container.command?.length ? container.command : undefined;
  const args = container.args?.length ? container.args : undefined;
  const x = (list: readonly string[] | undefined): string[] => (list ?? []).map((s) => expand(s, env));
  if (command) return [...x(command), ...x(args)];
  return [...(image.entrypoint ?? []), ...(args ? x(args) : (image.cmd ?? []))];
}

/** The user the process runs as: the container's securityContext, else the pod's, else the image's USER. */
export function containerUser(
  container: V1Container,
  spec: V1PodSpec,
  image: ImageSpec,
): { uid: number; gid: number; nonRootRequired: boolean } {
  const uid = container.securityContext?.runAsUser ?? spec.securityContext?.runAsUser ?? image.user ?? 0;
  const gid = container.securityContext?.runAsGroup ?? spec.securityContext?.runAsGroup ?? (uid === 0 ? 0 : uid);
  const nonRootRequired = container.securityContext?.runAsNonRoot ?? spec.securityContext?.runAsNonRoot ?? false;
  return { uid, gid, nonRootRequired };
}

export function containerMounts(container: V1Container): Mount[] {
  return (container.volumeMounts ?? []).map((m) => ({
    volume: m.name,
    mountPath: m.mountPath,
    subPath: m.subPath,
    readOnly: m.readOnly === true,
  }));
}

const UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

/** A resource.Quantity in bytes (the forms a sizeLimit takes). */
function quantityBytes(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^(\d+(?:\.\d+)?)([kMGT]i?|)$/.exec(q.trim());
  if (!m || UNITS[m[2]!] === undefined) throw new Error(`unreadable quantity ${JSON.stringify(q)}`);
  return Math.ceil(Number(m[1]) * UNITS[m[2]!]!);
}

function keyFiles(
  data: Readonly<Record<string, string>> | undefined,
  items: readonly { key: string; path: string }[] | undefined,
): Record<string, string> {
  if (!data) return {};
  if (!items?.length) return { ...data };
  return Object.fromEntries(items.filter((i) => data[i.key] !== undefined).map((i) => [i.path, data[i.key]!]));
}

/**
 * The pod's volumes on the bench: emptyDir as a folder (medium Memory: a tmpfs of sizeLimit, as kubelet
 * mounts it since SizeMemoryBackedVolumes), ConfigMaps and Secrets of the manifest with their files,
 * every other kind an empty folder.
 */
export function podVolumes(volumes: readonly V1Volume[], namespace: string, objects: ManifestObjects): Map<string, VolumeSource> {
  const out = new Map<string, VolumeSource>();
  for (const v of volumes) {
    if (v.emptyDir?.medium === 'Memory') {
      const limit = v.emptyDir.sizeLimit as unknown as string | number | undefined;
      out.set(v.name, { tmpfsBytes: limit === undefined ? 'unbounded' : quantityBytes(limit) });
    } else if (v.configMap)
      out.set(v.name, { files: keyFiles(objects.configMaps.get(`${namespace}/${v.configMap.name}`), v.configMap.items) });
    else if (v.secret) out.set(v.name, { files: keyFiles(objects.secrets.get(`${namespace}/${v.secret.secretName}`), v.secret.items) });
    else out.set(v.name, {});
  }
  return out;
}
