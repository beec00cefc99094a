import { CONTAINER_ORDER_KIND } from '../config/function-config.js';
import { runFunction, type ExitCode } from '../function.js';
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

function at(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const seg of path) node = (node as Record<string, unknown> | undefined)?.[seg];
  return node;
}

/**
 * Explains resources as the function leaves them: the function runs first (with the functionConfig
 * given, or a ContainerOrder found among the resources, or none, when only workloads that declare their
 * own order change) and the explanation reads its output. On manifests already in order, or with no
 * order declared, the function changes nothing and this explains them as they are.
 */
export function explainResources(resources: readonly PlainObject[], functionConfig: unknown): Explanation {
  const config = functionConfig ?? resources.find((r) => r.kind === CONTAINER_ORDER_KIND);
  const list = readResourceList(Buffer.from(JSON.stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items: resources })));
  const run = runFunction(list, config);
  const items = (JSON.parse(run.chunks.join('')) as { items: PlainObject[] }).items;
  const { results, exitCode } = run;
  const custom = (config as { spec?: { workloadKinds?: { apiVersion: string; kind: string; podTemplatePath: string }[] } } | undefined)?.spec?.workloadKinds ?? [];
  const kinds = custom.map((k) => ({ ...k, podTemplatePath: k.podTemplatePath.split('.') }));
  const timelines: PodTimeline[] = [];
  for (const item of items) {
    const path = podTemplatePathOf(item.apiVersion, item.kind, kinds);
    if (path === undefined) continue;
    const template = at(item, path) as Parameters<typeof podTimeline>[1] | undefined;
    if (!template?.spec?.containers) continue;
    timelines.push(podTimeline(item, template));
  }
  return { timelines, results, exitCode };
}
