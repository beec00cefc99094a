/**
 * The one internal form every config source (ContainerOrder, ConfigMap, annotations) decodes into.
 * Each enum is one list; its type and its codec (function-config.ts) are derived from it.
 */
import { MECHANISM_NAMES, type MechanismName } from '../mechanisms/index.js';
import type { Preset } from '../presets/preset.js';

export const STRATEGIES: readonly Strategy[] = ['auto', ...MECHANISM_NAMES];
/** `auto` picks a mechanism per pod (plan/plan-pod.ts); the others name one. */
export type Strategy = 'auto' | MechanismName;

export const CONDITIONS = ['Started', 'Ready', 'Completed'] as const;
export type Condition = (typeof CONDITIONS)[number];

export const SIDECAR_WAITS = ['Started', 'Ready'] as const satisfies readonly Condition[];
export type SidecarWait = (typeof SIDECAR_WAITS)[number];

/** What a dependency, or a sidecar, is waited for when the declaration does not say. */
export const DEFAULT_CONDITION = 'Ready' satisfies SidecarWait;

/** apply: write the order; validate: change nothing and fail when a workload does not realise its order. */
export const MODES = ['apply', 'validate'] as const;
type Mode = (typeof MODES)[number];

export interface KubernetesVersion {
  readonly major: number;
  readonly minor: number;
}

export interface Sidecar {
  readonly name: string;
  readonly waitFor: SidecarWait;
}

interface Dependency {
  readonly container: string;
  readonly condition: Condition;
}

export interface Rule {
  readonly container: string;
  readonly after: readonly Dependency[];
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

export interface WorkloadSelector {
  readonly kinds?: readonly string[];
  readonly names?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export interface WorkloadKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly podTemplatePath: readonly string[];
}

/** Which containers a known entrypoint is for: one container name, or images matching a `*` glob. */
type EntrypointMatch = { readonly container: string } | { readonly image: string };

/**
 * An image's ENTRYPOINT (and CMD, as `args`), for containers that do not spell out their command: the
 * entrypoint strategy must know the program to wrap, and an image cannot be read offline.
 */
export interface KnownEntrypoint {
  readonly match: EntrypointMatch;
  readonly command: readonly string[];
  readonly args?: readonly string[];
}

export interface OrderSpec {
  readonly mode: Mode;
  readonly strategy: Strategy;
  readonly kubernetesVersion: KubernetesVersion;
  readonly selector: WorkloadSelector;
  readonly sidecars: readonly Sidecar[];
  readonly rules: readonly Rule[];
  readonly timeoutSeconds: number;
  readonly helperImage: string;
  readonly workloadKinds: readonly WorkloadKind[];
  readonly entrypoints: readonly KnownEntrypoint[];
  readonly presets: readonly Preset[];
}

/** The value of each setting a config leaves out. */
const DEFAULTS = {
  mode: 'apply',
  strategy: 'auto',
  kubernetesVersion: { major: 1, minor: 29 },
  timeoutSeconds: 120,
  // The musl build of the official image is one static binary: copied into any container, it runs.
  helperImage: 'busybox:1.36.1-musl',
} as const satisfies Partial<OrderSpec>;

/**
 * A whole OrderSpec from the settings given: the one place defaults are filled, for every config source
 * (ContainerOrder, ConfigMap, none at all) and for the tests.
 */
export function orderSpec(given: Partial<OrderSpec> = {}): OrderSpec {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<OrderSpec>;
  return { ...DEFAULTS, selector: {}, sidecars: [], rules: [], workloadKinds: [], entrypoints: [], presets: [], ...defined };
}
