/** The severity policy, in one place: diagnostics become KRM results here and nowhere else. */
import type { PlainObject } from '../resource-list/read.js';
import { itemResult, resourceRefOf, type Result } from '../resource-list/results.js';
import type { DecodeProblem } from '../codec/io-ts.js';
import type { Diagnostic, Severity } from '../diagnostic.js';
import type { WorkloadOutcome } from './plan-list.js';

/**
 * A skipped part of the declaration is an error for a workload that asked for exactly these
 * containers (it names itself, or declares its own order), and news for one a broad selector caught.
 */
function severityOf(d: Diagnostic, asked: boolean): Severity {
  if (d.severity === 'skipped') return asked ? 'error' : 'info';
  return d.severity;
}

export function workloadResults(outcome: WorkloadOutcome): Result[] {
  return outcome.diagnostics.map((d) => itemResult(outcome.item, severityOf(d, outcome.asked), d.message, d.field));
}

/** The results of a functionConfig that does not decode, each naming its field. */
export function configProblemResults(config: unknown, problems: readonly DecodeProblem[]): Result[] {
  return problems.map((p) => configResult(config, 'error', `functionConfig ${p.path}: ${p.message}`, p.path || undefined));
}

/** A result about the functionConfig itself: it names the config when the config is a resource. */
export function configResult(config: unknown, severity: Severity, message: string, path?: string): Result {
  const looksLikeResource = typeof config === 'object' && config !== null && 'kind' in config;
  return {
    message,
    severity,
    ...(looksLikeResource ? { resourceRef: resourceRefOf(config as PlainObject) } : {}),
    ...(path ? { field: { path } } : {}),
  };
}
