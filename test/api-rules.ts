import { PodSpec } from 'kubernetes-models/v1/PodSpec';
import { HELPER_CONTAINER, HELPER_VOLUME, RUN_VOLUME } from '../src/runtime/helper.js';
import { podTemplatePathOf } from '../src/workloads/kinds.js';

/**
 * The API server's rules for the parts of a pod spec this function writes (validation.go in
 * kubernetes/pkg/apis/core/validation): a checker independent of the planner, run on every output the
 * tests produce.
 */
interface Container {
  name?: unknown;
  restartPolicy?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  startupProbe?: unknown;
  lifecycle?: unknown;
  volumeMounts?: { name?: unknown; mountPath?: unknown }[];
  securityContext?: {
    runAsNonRoot?: unknown;
    runAsUser?: unknown;
    privileged?: unknown;
    allowPrivilegeEscalation?: unknown;
    capabilities?: { add?: unknown[]; drop?: unknown[] };
    seccompProfile?: { type?: unknown };
  };
}

/**
 * The Pod Security Standard "restricted" profile (kubernetes.io/docs/concepts/security/pod-security-standards),
 * applied to a container this function injects: it must pass on its own, whatever the pod sets.
 */
export function restrictedViolations(c: Container, field: string): string[] {
  const problems: string[] = [];
  const sc = c.securityContext ?? {};
  if (sc.runAsNonRoot !== true) problems.push(`${field}.securityContext.runAsNonRoot: must be true`);
  if (sc.runAsUser === 0) problems.push(`${field}.securityContext.runAsUser: must not be 0`);
  if (sc.privileged === true) problems.push(`${field}.securityContext.privileged: must not be true`);
  if (sc.allowPrivilegeEscalation !== false) problems.push(`${field}.securityContext.allowPrivilegeEscalation: must be false`);
  if (!sc.capabilities?.drop?.includes('ALL')) problems.push(`${field}.securityContext.capabilities.drop: must include ALL`);
  if ((sc.capabilities?.add ?? []).some((cap) => cap !== 'NET_BIND_SERVICE'))
    problems.push(`${field}.securityContext.capabilities.add: only NET_BIND_SERVICE`);
  if (sc.seccompProfile?.type !== 'RuntimeDefault' && sc.seccompProfile?.type !== 'Localhost')
    problems.push(`${field}.securityContext.seccompProfile.type: must be RuntimeDefault or Localhost`);
  return problems;
}

function podSpecViolations(spec: {
  containers?: Container[];
  initContainers?: Container[] | null;
  volumes?: Record<string, unknown>[] | null;
}): string[] {
  const problems: string[] = [];
  const volumes = new Set<unknown>();
  (spec.volumes ?? []).forEach((v, i) => {
    if (volumes.has(v.name)) problems.push(`spec.volumes[${i}].name: Duplicate value: ${String(v.name)}`);
    volumes.add(v.name);
    // Ours must be of a type the restricted profile allows, and small and in memory as documented.
    if ((v.name === HELPER_VOLUME || v.name === RUN_VOLUME) && JSON.stringify(Object.keys(v).sort()) !== '["emptyDir","name"]')
      problems.push(`spec.volumes[${i}]: must be only an emptyDir`);
    const emptyDir = v.emptyDir as { medium?: unknown; sizeLimit?: unknown } | undefined;
    if ((v.name === HELPER_VOLUME || v.name === RUN_VOLUME) && (emptyDir?.medium !== 'Memory' || emptyDir.sizeLimit === undefined))
      problems.push(`spec.volumes[${i}].emptyDir: must be in Memory with a sizeLimit`);
  });
  (spec.initContainers ?? []).forEach((c, i) => {
    if (c.name === HELPER_CONTAINER) problems.push(...restrictedViolations(c, `spec.initContainers[${i}]`));
  });
  const containers = spec.containers ?? [];
  const inits = spec.initContainers ?? [];
  if (containers.length === 0) problems.push('spec.containers: Required value');
  const seen = new Set<unknown>();
  for (const [list, entries] of [
    ['initContainers', inits],
    ['containers', containers],
  ] as const) {
    entries.forEach((c, i) => {
      if (seen.has(c.name)) problems.push(`spec.${list}[${i}].name: Duplicate value: ${String(c.name)}`);
      seen.add(c.name);
      const paths = new Set<unknown>();
      (c.volumeMounts ?? []).forEach((m, j) => {
        if (!volumes.has(m.name)) problems.push(`spec.${list}[${i}].volumeMounts[${j}].name: Not found: ${String(m.name)}`);
        if (paths.has(m.mountPath)) problems.push(`spec.${list}[${i}].volumeMounts[${j}].mountPath: Invalid value: must be unique`);
        paths.add(m.mountPath);
      });
      if (list === 'containers' && c.restartPolicy !== undefined)
        problems.push(`spec.containers[${i}].restartPolicy: Forbidden: may not be set for non-init containers`);
      if (list === 'initContainers' && c.restartPolicy !== undefined && c.restartPolicy !== 'Always') {
        problems.push(`spec.initContainers[${i}].restartPolicy: Unsupported value: ${c.restartPolicy as string}`);
      }
      if (list === 'initContainers' && c.restartPolicy !== 'Always') {
        for (const key of ['readinessProbe', 'livenessProbe', 'startupProbe', 'lifecycle'] as const) {
          if (c[key] !== undefined)
            problems.push(`spec.initContainers[${i}].${key}: Forbidden: may not be set for init containers without restartPolicy=Always`);
        }
      }
    });
  }
  return problems;
}

/**
 * The Kubernetes OpenAPI schema of a pod spec, from kubernetes-models (pinned; its schemas are those of
 * Kubernetes 1.33): types, required fields, enums, for every field, not only the ones we write.
 */
export function schemaViolations(spec: unknown): string[] {
  try {
    new PodSpec(spec as ConstructorParameters<typeof PodSpec>[0]).validate();
    return [];
  } catch (e) {
    return [`schema: ${(e as Error).message}`];
  }
}

/** Violations in every workload of a list of resources. */
export function violationsIn(resources: readonly Record<string, unknown>[]): string[] {
  const problems: string[] = [];
  for (const r of resources) {
    const path = podTemplatePathOf(r.apiVersion, r.kind, []);
    if (path === undefined) continue;
    let template: unknown = r;
    for (const seg of path) template = (template as Record<string, unknown> | undefined)?.[seg];
    const spec = (template as { spec?: Parameters<typeof podSpecViolations>[0] } | undefined)?.spec;
    if (!spec) continue;
    const name = (r.metadata as { name?: string } | undefined)?.name;
    problems.push(...podSpecViolations(spec).map((p) => `${String(r.kind)}/${name}: ${p}`));
    problems.push(...schemaViolations(spec).map((p) => `${String(r.kind)}/${name}: ${p}`));
  }
  return problems;
}
