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
}

export function podSpecViolations(spec: { containers?: Container[]; initContainers?: Container[] | null; volumes?: { name?: unknown }[] | null }): string[] {
  const problems: string[] = [];
  const volumes = new Set<unknown>();
  (spec.volumes ?? []).forEach((v, i) => {
    if (volumes.has(v.name)) problems.push(`spec.volumes[${i}].name: Duplicate value: ${String(v.name)}`);
    volumes.add(v.name);
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
      if (list === 'containers' && c.restartPolicy !== undefined) problems.push(`spec.containers[${i}].restartPolicy: Forbidden: may not be set for non-init containers`);
      if (list === 'initContainers' && c.restartPolicy !== undefined && c.restartPolicy !== 'Always') {
        problems.push(`spec.initContainers[${i}].restartPolicy: Unsupported value: ${String(c.restartPolicy)}`);
      }
      if (list === 'initContainers' && c.restartPolicy !== 'Always') {
        for (const key of ['readinessProbe', 'livenessProbe', 'startupProbe', 'lifecycle'] as const) {
          if (c[key] !== undefined) problems.push(`spec.initContainers[${i}].${key}: Forbidden: may not be set for init containers without restartPolicy=Always`);
        }
      }
    });
  }
  return problems;
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
  }
  return problems;
}
