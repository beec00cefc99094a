/**
 * explain: each workload's start and stop order, as the function would leave it. The planning core runs
 * on plain objects (no ResourceList is written), its edits are applied to copies, and the timelines are
 * read from the resulting pod specs, so that hand-ordered manifests are explained the same way.
 */
import { CONTAINER_ORDER_KIND, decodeFunctionConfig } from '../config/function-config.js';
import type { ExitCode } from '../function.js';
import { planList } from '../plan/plan-list.js';
import { configProblemResults, workloadResults } from '../plan/results.js';
import { applyEditsToObject, cloneData, valueAt } from '../resource-list/edit.js';
import type { PlainObject } from '../resource-list/read.js';
import { hasErrors, type Result } from '../resource-list/results.js';
import { podTemplatePathOf } from '../workloads/kinds.js';
import { podTimeline, type PodTimeline } from './timeline.js';

export interface Explanation {
  readonly timelines: readonly PodTimeline[];
  /** The function's results when a functionConfig was given (what it would do, or why it would not). */
  readonly results: readonly Result[];
  readonly exitCode: ExitCode;
}

interface KptFunction {
  readonly image?: unknown;
  readonly exec?: unknown;
  readonly configMap?: unknown;
}

/**
 * The inline `configMap` a Kptfile gives this function: the pipeline function whose image or exec path
 * names order-containers, or the pipeline's only function. kpt passes it as a ConfigMap.
 */
function kptfileConfig(resources: readonly PlainObject[]): unknown {
  const kptfile = resources.find((r) => r.kind === 'Kptfile' && typeof r.apiVersion === 'string' && r.apiVersion.startsWith('kpt.dev/'));
  const pipeline = (kptfile?.pipeline ?? {}) as { mutators?: KptFunction[]; validators?: KptFunction[] };
  const functions = [...(pipeline.mutators ?? []), ...(pipeline.validators ?? [])];
  const ours =
    functions.find((f) => [f.image, f.exec].some((ref) => typeof ref === 'string' && ref.includes('order-containers'))) ??
    (functions.length === 1 ? functions[0] : undefined);
  if (typeof ours?.configMap !== 'object' || ours.configMap === null) return undefined;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'function-input' }, data: ours.configMap };
}

/**
 * Explains resources as the function leaves them, with the functionConfig given, or a ContainerOrder
 * found among the resources, or a Kptfile's inline configMap for it, or none (then only workloads that
 * declare their own order change). On manifests already in order, or with no order declared, nothing
 * changes and this explains them as they are.
 */
export function explainResources(resources: readonly PlainObject[], functionConfig: unknown): Explanation {
  const given = functionConfig ?? resources.find((r) => r.kind === CONTAINER_ORDER_KIND) ?? kptfileConfig(resources);
  const config = decodeFunctionConfig(given);
  const values = resources.map((value) => cloneData(value));
  const items = values.map((value, index) => ({ index, read: () => value }));
  const results: Result[] = [];
  if (config.kind === 'invalid') {
    // The resources are explained as they are, after the config's problems.
    results.push(...configProblemResults(given, config.problems));
  } else {
    for (const outcome of planList(items, config)) {
      applyEditsToObject(values[outcome.index]!, outcome.edits);
      results.push(...workloadResults(outcome));
    }
  }
  const kinds = config.kind === 'spec' ? config.spec.workloadKinds : [];
  const timelines: PodTimeline[] = [];
  for (const value of values) {
    const path = podTemplatePathOf(value.apiVersion, value.kind, kinds);
    if (path === undefined) continue;
    const template = valueAt(value, path) as Parameters<typeof podTimeline>[1] | undefined;
    if (!template?.spec?.containers) continue;
    timelines.push(podTimeline(value, template));
  }
  return { timelines, results, exitCode: config.kind === 'invalid' ? 3 : hasErrors(results) ? 1 : 0 };
}
