/**
 * explain: each workload's start and stop order, as the function would leave it. The planning core runs
 * on plain objects (no ResourceList is written), its edits are applied to copies, and the timelines are
 * read from the resulting pod specs, so that hand-ordered manifests are explained the same way.
 */
import { CONTAINER_ORDER_KIND, decodeFunctionConfig, functionInputConfigMap } from '../config/function-config.js';
import type { ExitCode } from '../function.js';
import { planList } from '../plan/plan-list.js';
import { configProblemResults, workloadResults } from '../plan/results.js';
import { applyEditsToObject, cloneData, valueAt } from '../resource-list/edit.js';
import type { PlainObject } from '../resource-list/read.js';
import { hasErrors, type Result } from '../resource-list/results.js';
import { podTemplatePathOf } from '../workloads/kinds.js';
import { podTemplateOf } from '../workloads/pod-templates.js';
import { dirname, join, normalize } from 'node:path';
import type { SourcedResource } from './input.js';
import { podTimeline, type PodTimeline } from './timeline.js';
import type { WorkloadKind } from '../workloads/kinds.js';

export interface Explanation {
  readonly timelines: readonly PodTimeline[];
  /** The same workloads' timelines as the resources are, before the function: what `explain --diff` compares. */
  readonly before: readonly PodTimeline[];
  /** The function's results when a functionConfig was given (what it would do, or why it would not). */
  readonly results: readonly Result[];
  readonly exitCode: ExitCode;
}

interface KptFunction {
  readonly image?: unknown;
  readonly exec?: unknown;
  readonly configPath?: unknown;
  readonly configMap?: unknown;
}

function isOurs(f: KptFunction): boolean {
  return [f.image, f.exec].some((ref) => typeof ref === 'string' && ref.includes('order-containers'));
}

/**
 * The configs a Kptfile's pipeline runs this function with, in order: its mutators that name
 * order-containers (or the pipeline's only mutator), each with its `configPath` (the resource in that
 * file, relative to the Kptfile) or its inline `configMap` (kpt passes it as a ConfigMap). Validators
 * change nothing, so they never give the "after" view.
 */
function pipelineConfigs(resources: readonly SourcedResource[]): unknown[] {
  const kptfile = resources.find(
    ({ resource: r }) => r.kind === 'Kptfile' && typeof r.apiVersion === 'string' && r.apiVersion.startsWith('kpt.dev/'),
  );
  if (!kptfile) return [];
  const mutators = ((kptfile.resource.pipeline ?? {}) as { mutators?: KptFunction[] }).mutators ?? [];
  const ours = mutators.filter(isOurs);
  const chosen = ours.length > 0 ? ours : mutators.length === 1 ? mutators : [];
  const dir = kptfile.path === undefined ? '' : dirname(kptfile.path);
  return chosen.flatMap((f): unknown[] => {
    if (typeof f.configPath === 'string') {
      const want = normalize(join(dir, f.configPath));
      const found = resources.find((r) => r.path !== undefined && normalize(r.path) === want);
      return found ? [found.resource] : [];
    }
    if (typeof f.configMap === 'object' && f.configMap !== null) return [functionInputConfigMap(f.configMap)];
    return [];
  });
}

/**
 * The configs to explain with, in the order they apply: the one given; else what a Kptfile's pipeline
 * runs; else a ContainerOrder among the resources, one that writes (mode apply) before one that only
 * validates; else none (then only workloads that declare their own order change).
 */
function configsToApply(resources: readonly SourcedResource[], functionConfig: unknown): unknown[] {
  if (functionConfig !== undefined) return [functionConfig];
  const pipeline = pipelineConfigs(resources);
  if (pipeline.length > 0) return pipeline;
  const orders = resources.map((r) => r.resource).filter((r) => r.kind === CONTAINER_ORDER_KIND);
  // One that does not decode is chosen too, so that its errors are said.
  const writes = (o: unknown): boolean => {
    const config = decodeFunctionConfig(o);
    return config.kind !== 'spec' || config.spec.mode !== 'validate';
  };
  const chosen = orders.find(writes) ?? orders[0];
  return [chosen];
}

/**
 * Explains resources as the function leaves them, with the configs configsToApply picks, applied in
 * turn. On manifests already in order, or with no order declared, nothing changes and this explains
 * them as they are.
 */
export function explainResources(resources: readonly SourcedResource[], functionConfig: unknown): Explanation {
  const values = resources.map(({ resource }) => cloneData(resource));
  const items = values.map((value, index) => ({ index, read: () => value, mayHold: () => true }));
  const results: Result[] = [];
  let invalid = false;
  let workloadKinds: readonly WorkloadKind[] = [];
  for (const given of configsToApply(resources, functionConfig)) {
    const config = decodeFunctionConfig(given);
    if (config.kind === 'invalid') {
      // The resources are explained as they are, after the config's problems.
      results.push(...configProblemResults(given, config.problems));
      invalid = true;
      break;
    }
    if (config.kind === 'spec') workloadKinds = [...workloadKinds, ...config.spec.workloadKinds];
    for (const outcome of planList(items, config)) {
      applyEditsToObject(values[outcome.index]!, outcome.edits);
      results.push(...workloadResults(outcome));
    }
  }
  return {
    timelines: timelinesOf(values, resources, workloadKinds),
    before: timelinesOf(
      resources.map((r) => r.resource),
      resources,
      workloadKinds,
    ),
    results,
    exitCode: invalid ? 3 : hasErrors(results) ? 1 : 0,
  };
}

/** The timeline of each value that holds a pod template, named by its resource's file. */
function timelinesOf(
  values: readonly PlainObject[],
  resources: readonly SourcedResource[],
  workloadKinds: readonly WorkloadKind[],
): PodTimeline[] {
  const timelines: PodTimeline[] = [];
  values.forEach((value, i) => {
    // A template the planner refused has its error among the results; read as it is, it would crash the drawing.
    const found = podTemplateOf(value, workloadKinds);
    if (found !== undefined && 'problems' in found) return;
    const path = podTemplatePathOf(value.apiVersion, value.kind, workloadKinds);
    if (path === undefined) return;
    const template = valueAt(value, path) as Parameters<typeof podTimeline>[1] | undefined;
    if (!template?.spec?.containers) return;
    timelines.push(podTimeline(value, template, resources[i]!.path));
  });
  return timelines;
}
