/**
 * A mechanism is one way of making kubelet start (and stop) containers in a declared order: native
 * sidecars, postStart gates, entrypoint wrappers. Each lives in its own folder behind this interface;
 * index.ts lists them, and that list drives the config's strategies, `auto`, explain and the docs.
 */
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import type { OrderGraph } from '../order/graph.js';
import type { Diagnostic } from '../diagnostic.js';
import type { AppliedStep, StepGate } from '../protocol/applied.js';
import type { Edit } from '../resource-list/edit.js';
import type { ContainerList, PodSpecView } from '../workloads/pods.js';

/** The oldest kubelet minor version the workloads run on, as the config says it. */
export interface KubernetesVersion {
  readonly major: number;
  readonly minor: number;
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

/** What presets know of sidecars that their pod specs do not say (presets/apply.ts). */
export interface SidecarHints {
  /** Readiness of sidecars without a probe: planned with, never written as a readinessProbe. */
  readonly probes: ReadonlyMap<string, V1Probe>;
  /** postStart gates in the sidecar's own image, used instead of the helper's poll. */
  readonly waits: ReadonlyMap<string, readonly string[]>;
  /** URLs a sidecar stops on when POSTed to, for a wrapped Job sidecar. */
  readonly quits: ReadonlyMap<string, string>;
  /** The pod's init containers that start before its sidecars: a mesh's own, placed first by its injector. */
  readonly initsFirst: ReadonlySet<string>;
}

/** One pod template to order: everything a mechanism may read, nothing it may change. */
export interface PodContext {
  /** The oldest kubelet the workload runs on. */
  readonly cluster: KubernetesVersion;
  /** The workload's kind, for messages ("this Job's pods"). */
  readonly workloadKind: string;
  readonly podSpec: PodSpecView;
  readonly annotations: Readonly<Record<string, string>>;
  /** The declared order, built and checked against this pod. */
  readonly graph: OrderGraph;
  /** The sidecars that stop after the other containers (pod-edits.ts outlivingSidecars says which). */
  readonly outliving: ReadonlySet<string>;
  readonly timeoutSeconds: number;
  /** The containers a postStart gate holds also wait for its ready mark themselves (OrderSpec's). */
  readonly holdDependents: boolean;
  readonly helperImage: string;
  /** Image entrypoints: the config's, then the presets'. */
  readonly entrypoints: readonly KnownEntrypoint[];
  readonly hints: SidecarHints;
  /**
   * The named `targetPort`s of the Services in the list that select this pod, as port name → Service
   * name; read only for pods whose sidecars name a port.
   */
  readonly serviceTargetPorts: ReadonlyMap<string, string>;
}

/** What a mechanism would do to one pod template, before anything is written. */
export interface MechanismPlan {
  /** Relative to the pod template (its metadata and spec). */
  readonly edits: readonly Edit[];
  /** The start order it realises, for results and the applied annotation. */
  readonly steps: readonly AppliedStep[];
  /** Fields relative to the pod template. */
  readonly diagnostics: readonly Diagnostic[];
}

/** A container a mechanism recognises as its own work, read back from the pod spec (explain). */
interface Recognised {
  readonly phase: 'sidecar' | 'main';
  /** What kubelet, or the container's wrapper, waits for before the next one starts. */
  readonly gate: string;
  /** How that wait is made, as explain says it: `native sidecar`, `postStart wait`. */
  readonly how: string;
  /**
   * A main container that holds the ones after it until it is ready: kubelet still stops it with the
   * other main containers, and a pod that runs to completion waits for it to exit.
   */
  readonly holdsNext?: true;
  /** For a wrapped container, what it waits for itself, whatever kubelet started before it. */
  readonly after?: readonly { readonly container: string; readonly gate: StepGate }[];
}

/** What an injector (Istio, Linkerd) can be told to make of the sidecar it adds. */
export type InjectionMode = 'native' | 'postStart';

export interface Mechanism<Name extends string = string> {
  readonly name: Name;
  /** Whether the cluster's kubelets have what it needs. */
  available(cluster: KubernetesVersion): boolean;
  /** Pure: the edits and diagnostics for one pod. */
  compile(pod: PodContext): MechanismPlan;
  recognise(container: V1Container, list: ContainerList): Recognised | undefined;
  /** What injected sidecars become under it; none when it cannot reach them (wrappers). */
  readonly injection?: InjectionMode;
  /**
   * kubelet itself stops the sidecars of a pod that runs to completion once its main containers are
   * done; otherwise something must ask them to stop (a preset's quit endpoint, for the wrappers).
   */
  readonly stopsJobSidecars: boolean;
}
