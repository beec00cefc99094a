/**
 * The one shape of everything the planner has to say about a workload. Mechanisms, presets, the order
 * graph and the workload reader all speak it; plan/results.ts alone turns it into KRM results.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /**
   * `skipped`: a part of the declaration names a container the pod does not have; an error when the
   * workload asked for exactly these containers, news otherwise (plan/results.ts decides).
   */
  readonly severity: Severity | 'skipped';
  readonly message: string;
  /** Relative to the pod template inside mechanisms and presets; to the workload once planned. */
  readonly field?: string;
  /**
   * `auto` looks for another mechanism: an error always blocks; a warning that blocks is a promise the
   * mechanism cannot keep (a Job that would not complete), applied only when no other can do better.
   */
  readonly blocking?: true;
}

export function error(message: string, field?: string): Diagnostic {
  return { severity: 'error', message, ...(field !== undefined ? { field } : {}) };
}

export function blocks(d: Diagnostic): boolean {
  return d.severity === 'error' || d.blocking === true;
}

/** The diagnostics with their fields placed under `prefix` (a path such as `spec.template`). */
export function under(prefix: string, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  if (prefix === '') return [...diagnostics];
  return diagnostics.map((d) => (d.field === undefined ? d : { ...d, field: `${prefix}.${d.field}` }));
}

/** A path as results name a field: `spec.template.spec.containers[1].lifecycle`. */
export function fieldPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
