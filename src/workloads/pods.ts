/** What the planner reads of a pod spec, and the pod-level facts every part of it agrees on. */
import type { V1Container, V1Volume } from '@kubernetes/client-node';

export type ContainerList = 'initContainers' | 'containers';

export interface PodSpecView {
  readonly containers: V1Container[];
  readonly initContainers?: V1Container[] | null;
  readonly volumes?: V1Volume[] | null;
  readonly restartPolicy?: string;
  readonly terminationGracePeriodSeconds?: number;
  readonly os?: { readonly name?: string } | null;
  readonly securityContext?: { readonly runAsUser?: unknown } | null;
}

/** kubelet's default when a pod does not set terminationGracePeriodSeconds. */
export const DEFAULT_GRACE_SECONDS = 30;

/**
 * The restartPolicy of a pod that runs to completion (a Job's, or a bare Pod's that says so): its
 * sidecars must stop when the work is done. Decided by the pod's restartPolicy alone, whatever the kind.
 */
export function runsToCompletion(podSpec: { readonly restartPolicy?: string }): 'Never' | 'OnFailure' | undefined {
  return podSpec.restartPolicy === 'Never' || podSpec.restartPolicy === 'OnFailure' ? podSpec.restartPolicy : undefined;
}

/** How results name the pods of a workload: "this Job's pods", or "this pod" for a bare Pod. */
export function podsOf(workloadKind: string): string {
  return workloadKind === 'Pod' ? 'this pod' : `this ${workloadKind}'s pods`;
}

/** A container's field path in the pod template: `spec.containers[2]`. */
export function containerField(list: ContainerList, index: number): string {
  return `spec.${list}[${index}]`;
}
