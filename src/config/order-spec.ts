/**
 * The one internal form every config source (ContainerOrder, ConfigMap, annotations) decodes into.
 * Each enum is one list; its type and its codec (function-config.ts) are derived from it.
 */
import { MECHANISM_NAMES, type MechanismName } from '../mechanisms/index.js';
import type { KnownEntrypoint, KubernetesVersion } from '../mechanisms/mechanism.js';
import type { Rule, Sidecar } from '../order/declaration.js';
import type { Preset } from '../presets/preset.js';
import type { WorkloadKind } from '../workloads/kinds.js';
import type { WorkloadSelector } from '../workloads/selector.js';

export const STRATEGIES: readonly Strategy[] = ['auto', ...MECHANISM_NAMES];
/** `auto` picks a mechanism per pod (plan/plan-pod.ts); the others name one. */
export type Strategy = 'auto' | MechanismName;

/** apply: write the order; validate: change nothing and fail when a workload does not realise its order. */
export const MODES = ['apply', 'validate'] as const;
type Mode = (typeof MODES)[number];

export interface OrderSpec {
  readonly mode: Mode;
  readonly strategy: Strategy;
  readonly kubernetesVersion: KubernetesVersion;
  readonly selector: WorkloadSelector;
  readonly sidecars: readonly Sidecar[];
  readonly rules: readonly Rule[];
  /**
   * The longest a container waits for another one to be Started or Ready (README: "timeoutSeconds: one
   * meaning for every mechanism"); a wait for one to be Completed has no bound under any mechanism.
   */
  readonly timeoutSeconds: number;
  /**
   * Where a postStart gate holds the containers after it, they also wait themselves (an entrypoint
   * wrapper in each): kubelet starts them even when the gate fails (SyncPod), so the gate alone is best
   * effort when the gated container cannot start or become ready.
   */
  readonly holdDependents: boolean;
  readonly helperImage: string;
  readonly workloadKinds: readonly WorkloadKind[];
  readonly entrypoints: readonly KnownEntrypoint[];
  readonly presets: readonly Preset[];
  /**
   * The namespace that workloads without metadata.namespace will be applied into (kustomize's
   * `namespace:`, `kubectl apply -n`): where their Namespace's injection opt-ins and Services are
   * looked up, and what the selector's namespaces match. Unknown when not given.
   */
  readonly namespace?: string;
}

/** The value of each setting a config leaves out. */
const DEFAULTS = {
  mode: 'apply',
  strategy: 'auto',
  kubernetesVersion: { major: 1, minor: 29 },
  timeoutSeconds: 120,
  holdDependents: false,
  // The musl build of the official image is one static binary: copied into any container, it runs.
  // Fully qualified, so that no registry mirror or short-name alias picks another image, and pinned to
  // the digest of the tag's multi-arch index, so that every node runs the same busybox and a rebuilt
  // tag reaches pods only when this default changes.
  helperImage: 'docker.io/library/busybox:1.36.1-musl@sha256:c29b078aeeb7cdc487cf52dc87a69dac71499937f498b35cb606c7943bc412c9',
} as const satisfies Partial<OrderSpec>;

/**
 * A whole OrderSpec from the settings given: the one place defaults are filled, for every config source
 * (ContainerOrder, ConfigMap, none at all) and for the tests.
 */
export function orderSpec(given: Partial<OrderSpec> = {}): OrderSpec {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<OrderSpec>;
  return { ...DEFAULTS, selector: {}, sidecars: [], rules: [], workloadKinds: [], entrypoints: [], presets: [], ...defined };
}
