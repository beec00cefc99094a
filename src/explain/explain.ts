import { CONTAINER_ORDER_KIND, decodeFunctionConfig } from '../config/function-config.js';
import { runFunction, type ExitCode } from '../function.js';
import { valueAt } from '../resource-list/edit.js';
import { readResourceList, type PlainObject } from '../resource-list/read.js';
import type { Result } from '../resource-list/results.js';
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
  const ours = functions.find((f) => [f.image, f.exec].some((ref) => typeof ref === 'string' && ref.includes('order-containers'))) ?? (functions.length === 1 ? functions[0] : undefined);
  if (typeof ours?.configMap !== 'object' || ours.configMap === null) return undefined;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'function-input' }, data: ours.configMap };
}

/**
 * Explains resources as the function leaves them: the function runs first (with the functionConfig
 * given, or a ContainerOrder found among the resources, or a Kptfile's inline configMap for it, or none,
 * when only workloads that declare their own order change) and the explanation reads its output. On
 * manifests already in order, or with no order declared, the function changes nothing and this
 * explains them as they are.
 */
export function explainResources(resources: readonly PlainObject[], functionConfig: unknown): Explanation {
  const config = functionConfig ?? resources.find((r) => r.kind === CONTAINER_ORDER_KIND) ?? kptfileConfig(resources);
  const list = readResourceList(Buffer.from(JSON.stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: resources })));
  const run = runFunction(list, config);
  const items = (JSON.parse(run.chunks.join('')) as { items: PlainObject[] }).items;
  const { results, exitCode } = run;
  const decoded = decodeFunctionConfig(config);
  const kinds = decoded.kind === 'spec' ? decoded.spec.workloadKinds : [];
  const timelines: PodTimeline[] = [];
  for (const item of items) {
    const path = podTemplatePathOf(item.apiVersion, item.kind, kinds);
    if (path === undefined) continue;
    const template = valueAt(item, path) as Parameters<typeof podTimeline>[1] | undefined;
    if (!template?.spec?.containers) continue;
    timelines.push(podTimeline(item, template));
  }
  return { timelines, results, exitCode };
}
