/**
 * The kinds that hold a pod template, and where they hold it.
 */

/** A kind the config adds: where its resources keep their pod template. */
export interface WorkloadKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly podTemplatePath: readonly string[];
}

/**
 * Where each built-in kind keeps its pod template. The API group is checked too, so that a custom
 * resource that happens to be called `Job` (Volcano's, say) is not mistaken for batch/v1 Job.
 */
interface BuiltInKind {
  readonly kind: string;
  readonly groups: readonly string[];
  readonly podTemplatePath: readonly string[];
}

const BUILT_IN: readonly BuiltInKind[] = [
  { kind: 'Pod', groups: [''], podTemplatePath: [] },
  { kind: 'PodTemplate', groups: [''], podTemplatePath: ['template'] },
  { kind: 'ReplicationController', groups: [''], podTemplatePath: ['spec', 'template'] },
  { kind: 'Deployment', groups: ['apps', 'extensions'], podTemplatePath: ['spec', 'template'] },
  { kind: 'ReplicaSet', groups: ['apps', 'extensions'], podTemplatePath: ['spec', 'template'] },
  { kind: 'StatefulSet', groups: ['apps'], podTemplatePath: ['spec', 'template'] },
  { kind: 'DaemonSet', groups: ['apps', 'extensions'], podTemplatePath: ['spec', 'template'] },
  { kind: 'Job', groups: ['batch'], podTemplatePath: ['spec', 'template'] },
  { kind: 'CronJob', groups: ['batch'], podTemplatePath: ['spec', 'jobTemplate', 'spec', 'template'] },
  // Argo Rollouts (argoproj.io/v1alpha1 Rollout, a full PodTemplateSpec; one that names a Deployment
  // through spec.workloadRef instead has no template here) and OpenKruise (apps.kruise.io/v1alpha1 CloneSet).
  { kind: 'Rollout', groups: ['argoproj.io'], podTemplatePath: ['spec', 'template'] },
  { kind: 'CloneSet', groups: ['apps.kruise.io'], podTemplatePath: ['spec', 'template'] },
  // Not Knative's Service (serving.knative.dev/v1, spec.template): its webhook refuses what every mechanism
  // writes. knative/serving pkg/apis/serving/fieldmask.go ContainerMask keeps no lifecycle (postStart,
  // preStop), startupProbe or restartPolicy, and PodSpecMask drops initContainers unless the
  // kubernetes.podspec-init-containers feature is on (k8s_validation.go validateInitContainers refuses
  // them, and lifecycle or probes on them); the helper's emptyDir volumes need
  // kubernetes.podspec-volumes-emptydir. Users whose Knative allows these add it under workloadKinds.
];

/** Where an item of a kind that no row names keeps what looks like a pod template. */
export const UNLISTED_TEMPLATE_PATH = ['spec', 'template'] as const;

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The path of the pod template in a resource of this apiVersion and kind, if it has one. */
export function podTemplatePathOf(apiVersion: unknown, kind: unknown, custom: readonly WorkloadKind[]): readonly string[] | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const configured = custom.find((k) => k.kind === kind && k.apiVersion === apiVersion);
  if (configured) return configured.podTemplatePath;
  const builtIn = BUILT_IN.find((k) => k.kind === kind && k.groups.includes(groupOf(apiVersion)));
  return builtIn?.podTemplatePath;
}
