/**
 * The mechanisms, in the order `auto` tries them after the cluster's default: what kubelet does
 * natively, then the wrappers, which keep every promise on any version, then postStart gates, which are
 * best effort. A new mechanism is a folder beside these and one line in this list.
 */
import type { KubernetesVersion } from './mechanism.js';
import { entrypoint } from './entrypoint/entrypoint.js';
import type { Mechanism } from './mechanism.js';
import { native } from './native/native.js';
import { postStart } from './post-start/post-start.js';

const LIST = [native, entrypoint, postStart] as const;

export type MechanismName = (typeof LIST)[number]['name'];

export const MECHANISMS: readonly Mechanism<MechanismName>[] = LIST;

export const MECHANISM_NAMES: readonly MechanismName[] = MECHANISMS.map((m) => m.name);

export function mechanismNamed(name: MechanismName): Mechanism<MechanismName> {
  return MECHANISMS.find((m) => m.name === name)!;
}

/**
 * What `auto` uses first: native sidecars where the kubelets have them, else postStart gates, which
 * leave the containers' commands alone.
 */
export function clusterDefault(cluster: KubernetesVersion): Mechanism<MechanismName> {
  return native.available(cluster) ? native : postStart;
}

/** What `auto` tries, in order: the cluster's default, then every other mechanism the cluster has. */
export function autoCandidates(cluster: KubernetesVersion): Mechanism<MechanismName>[] {
  const first = clusterDefault(cluster);
  return [first, ...MECHANISMS.filter((m) => m !== first && m.available(cluster))];
}
