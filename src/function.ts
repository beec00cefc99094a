/**
 * The function, as kpt and kustomize run it: a ResourceList in, the same list with the edits made and
 * results appended out. Reads the config once, plans item by item (plan/), writes each workload's
 * edits as soon as they are known, and turns diagnostics into results (plan/results.ts).
 */
import { decodeFunctionConfig } from './config/function-config.js';
import { planList } from './plan/plan-list.js';
import {
  bySeverity,
  configProblemResults,
  configResult,
  selectedCount,
  summary,
  tally,
  workloadResults,
  type Tally,
} from './plan/results.js';
import { unmatchedNames } from './plan/unmatched.js';
import type { ResourceList } from './resource-list/read.js';
import { hasErrors, type Result } from './resource-list/results.js';
import { ResourceListWriter } from './resource-list/write.js';

/** 0 ok, 1 an error result, 2 bad input or crash, 3 bad functionConfig (kpt-functions' codes). */
export type ExitCode = 0 | 1 | 2 | 3;

export interface FunctionRun {
  /** The output ResourceList in pieces, to be written in order (see ResourceListWriter.chunks). */
  readonly chunks: readonly string[];
  readonly exitCode: ExitCode;
  readonly results: readonly Result[];
}

/** Items that hold a pod template of a kind no one listed: the usual reason nothing matched. */
function unlistedHint(unlisted: readonly string[]): string {
  if (unlisted.length === 0) return '';
  const named = unlisted.length > 3 ? `${unlisted.slice(0, 3).join(', ')} and ${unlisted.length - 3} more` : unlisted.join(', ');
  return `; ${named} ${unlisted.length === 1 ? 'holds' : 'hold'} a pod template at spec.template but ${unlisted.length === 1 ? 'is' : 'are'} of no kind known here: add the kind under spec.workloadKinds of a ContainerOrder ({apiVersion, kind, podTemplatePath: spec.template})`;
}

/** The whole function: config → pod templates → plans → edits → ResourceList with results. */
export function runFunction(list: ResourceList, functionConfig: unknown = list.functionConfig): FunctionRun {
  const writer = new ResourceListWriter(list);
  const config = decodeFunctionConfig(functionConfig);
  const finish = (exitCode: ExitCode, all: Result[]): FunctionRun => ({ chunks: writer.chunks(all), exitCode, results: all });
  if (config.kind === 'invalid') {
    // Every item is read all the same: a malformed one must fail the run as bad input.
    for (const item of list.items) item.read();
    return finish(3, configProblemResults(functionConfig, config.problems));
  }

  const results: Result[] = [];
  let considered = 0;
  const seen = new Set<string>();
  const unlisted: string[] = [];
  const counts: Tally = { ordered: 0, inOrder: 0, warned: 0, refused: 0, optedOut: 0 };
  for (const outcome of planList(list.items, config, unlisted)) {
    considered++;
    writer.edit(outcome.index, outcome.item, outcome.edits);
    const own = workloadResults(outcome);
    results.push(...own);
    tally(counts, outcome, own);
    for (const name of outcome.containers ?? []) seen.add(name);
  }
  if (config.kind === 'spec' && seen.size > 0)
    for (const u of unmatchedNames(config.spec, seen))
      results.push(
        configResult(
          functionConfig,
          'warning',
          `${u.role} ${u.name} is not a container of any selected workload${u.suggestion ? `; did you mean ${u.suggestion}?` : '; check the name and the selector'}`,
        ),
      );
  const message =
    selectedCount(counts) > 0
      ? summary(counts, config.kind === 'spec' && config.spec.mode === 'validate')
      : results.length > 0
        ? undefined
        : config.kind === 'none' && considered === 0
          ? `nothing to do: ${config.reason}`
          : `nothing to do: no workload matched the selector${unlistedHint(unlisted)}`;
  const all = bySeverity(results, message === undefined ? undefined : configResult(functionConfig, 'info', message));
  return finish(hasErrors(all) ? 1 : 0, all);
}
