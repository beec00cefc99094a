/** The severity policy, in one place: diagnostics become KRM results here and nowhere else. */
import type { PlainObject } from '../resource-list/read.js';
import { itemResult, resourceRefOf, type Result } from '../resource-list/results.js';
import type { DecodeProblem } from '../codec/io-ts.js';
import type { Diagnostic, Severity } from '../diagnostic.js';
import type { WorkloadOutcome } from './plan-list.js';

/**
 * A skipped part of the declaration is an error for a workload that asked for exactly these
 * containers (it names itself, or declares its own order). For one a broad selector caught it is the
 * normal case (a config names the sidecars of many workloads, each has some), and not said per
 * workload: a name that no selected workload has is one warning for the list (plan/unmatched.ts).
 */
function severityOf(d: Diagnostic, asked: boolean): Severity | undefined {
  if (d.severity === 'skipped') return asked ? 'error' : undefined;
  return d.severity;
}

/**
 * A workload's results. Where nothing changes and nothing is wrong, its notes say nothing a reader
 * must act on, and the list's summary counts it instead: thousands of workloads would otherwise bury
 * the few results that matter (kpt prints four lines by default).
 */
export function workloadResults(outcome: WorkloadOutcome): Result[] {
  const all = outcome.diagnostics.flatMap((d) => {
    const severity = severityOf(d, outcome.asked);
    return severity === undefined ? [] : [itemResult(outcome.item, severity, d.message, d.field)];
  });
  const quiet = outcome.edits.length === 0 && !outcome.optedOut && all.every((r) => r.severity === 'info');
  return quiet ? [] : all;
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/**
 * Errors first, then warnings, then the list's summary, then infos, each in the order they were found:
 * kpt prints the first four results, and the summary is the one info every run should show.
 */
export function bySeverity(results: readonly Result[], summary?: Result): Result[] {
  const sorted = [...results].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  if (summary === undefined) return sorted;
  const firstInfo = sorted.findIndex((r) => r.severity === 'info');
  sorted.splice(firstInfo < 0 ? sorted.length : firstInfo, 0, summary);
  return sorted;
}

/** How the selected workloads came out, for the summary. */
export interface Tally {
  ordered: number;
  inOrder: number;
  /** Unchanged, with a warning: never said to be in order. */
  warned: number;
  refused: number;
  optedOut: number;
}

export function tally(outcomes: Tally, outcome: WorkloadOutcome, results: readonly Result[]): void {
  if (results.some((r) => r.severity === 'error')) outcomes.refused++;
  else if (outcome.optedOut) outcomes.optedOut++;
  else if (outcome.edits.length > 0) outcomes.ordered++;
  else if (results.some((r) => r.severity === 'warning')) outcomes.warned++;
  else if (outcome.containers !== undefined) outcomes.inOrder++;
}

/** How many workloads the tally counts: every selected one. */
export function selectedCount(t: Tally): number {
  return t.ordered + t.inOrder + t.warned + t.refused + t.optedOut;
}

/** One line for the whole list: what happened to every selected workload (`3 selected workloads: 2 ordered, 1 refused`). */
export function summary(t: Tally, validate: boolean): string {
  const total = selectedCount(t);
  const parts: [number, string][] = validate
    ? [
        [t.inOrder, 'in order'],
        [t.warned, 'unchanged, with warnings'],
        [t.refused, 'not in order'],
      ]
    : [
        [t.ordered, 'ordered'],
        [t.inOrder, 'already in order'],
        [t.warned, 'unchanged, with warnings'],
        [t.refused, 'refused'],
      ];
  parts.push([t.optedOut, 'left as they are (order-containers.dev/skip)']);
  const said = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  return `${total} selected workload${total === 1 ? '' : 's'}: ${said.join(', ')}`;
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
