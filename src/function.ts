import { decodeFunctionConfig } from './config/function-config.js';
import type { OrderSpec, Strategy } from './config/order-spec.js';
import { planNativeSidecars, type PodPlan } from './plan/native.js';
import type { Edit, Path } from './resource-list/edit.js';
import type { PlainObject, ResourceList } from './resource-list/read.js';
import { hasErrors, itemResult, resourceRefOf, type Result } from './resource-list/results.js';
import { writeResourceList } from './resource-list/write.js';
import { findPodTemplates, type PodTemplateRef } from './workloads/pod-templates.js';
import { namesExactly, selects } from './workloads/selector.js';

/** Records on the pod template what the function did, so a later run (or a reader) recognises it. */
export const APPLIED_ANNOTATION = 'order-containers.dev/applied';

/** 0 ok, 1 an error result, 2 bad input or crash, 3 bad functionConfig (kpt-functions' codes). */
export type ExitCode = 0 | 1 | 2 | 3;

export interface FunctionRun {
  readonly output: string;
  readonly exitCode: ExitCode;
  readonly results: readonly Result[];
}

function prefixed(prefix: Path, edit: Edit): Edit {
  switch (edit.op) {
    case 'set':
    case 'insert':
      return { ...edit, path: [...prefix, ...edit.path] };
    case 'move':
      return { ...edit, from: [...prefix, ...edit.from], to: [...prefix, ...edit.to] };
  }
}

function fieldOf(prefix: Path, field: string | undefined): string | undefined {
  return field === undefined ? undefined : [...prefix, field].join('.');
}

function resolveStrategy(spec: OrderSpec): Strategy {
  if (spec.strategy !== 'auto') return spec.strategy;
  const { major, minor } = spec.kubernetesVersion;
  return major > 1 || minor >= 29 ? 'native' : 'postStart';
}

function configResult(config: unknown, severity: Result['severity'], message: string, path?: string): Result {
  const looksLikeResource = typeof config === 'object' && config !== null && 'kind' in config;
  return {
    message,
    severity,
    ...(looksLikeResource ? { resourceRef: resourceRefOf(config as PlainObject) } : {}),
    ...(path ? { field: { path } } : {}),
  };
}

function planTemplate(spec: OrderSpec, ref: PodTemplateRef): PodPlan {
  return planNativeSidecars(spec, ref.template.spec);
}

/** The whole function: config → pod templates → plans → edits → ResourceList with results. */
export function runFunction(list: ResourceList, functionConfig: unknown = list.functionConfig): FunctionRun {
  const finish = (edits: Map<number, Edit[]>, results: Result[], exitCode: ExitCode): FunctionRun => ({
    output: writeResourceList(list, edits, results),
    exitCode,
    results,
  });
  const config = decodeFunctionConfig(functionConfig);
  if (config.kind === 'invalid') {
    const results = config.problems.map((p) => configResult(functionConfig, 'error', `functionConfig ${p.path}: ${p.message}`, p.path || undefined));
    return finish(new Map(), results, 3);
  }
  if (config.kind === 'none') {
    return finish(new Map(), [configResult(functionConfig, 'info', `nothing to do: ${config.reason}`)], 0);
  }
  const { spec } = config;
  const strategy = resolveStrategy(spec);
  if (strategy !== 'native') {
    const message = `strategy ${strategy} (chosen for ${spec.strategy === 'auto' ? `kubernetesVersion ${spec.kubernetesVersion.major}.${spec.kubernetesVersion.minor}` : 'spec.strategy'}) is not available in this version; use kubernetesVersion "1.29" or later with strategy auto or native`;
    return finish(new Map(), [configResult(functionConfig, 'error', message, 'spec.strategy')], 1);
  }

  const scan = findPodTemplates(list.items, spec.workloadKinds);
  const results: Result[] = [...scan.problems];
  const edits = new Map<number, Edit[]>();
  for (const ref of scan.templates) {
    const item = ref.item.value;
    if (!selects(spec.selector, item)) continue;
    const plan = planTemplate(spec, ref);
    const named = namesExactly(spec.selector, item);
    for (const note of plan.notes) results.push(itemResult(item, named ? 'error' : 'info', note.message, fieldOf(ref.path, note.field)));
    if (plan.problems.length > 0) {
      for (const p of plan.problems) results.push(itemResult(item, 'error', p.message, fieldOf(ref.path, p.field)));
      continue;
    }
    if (plan.edits.length === 0) continue;
    const applied: Edit = { op: 'set', path: ['metadata', 'annotations', APPLIED_ANNOTATION], value: `${strategy}: ${plan.startOrder}` };
    edits.set(ref.item.index, [...plan.edits, applied].map((e) => prefixed(ref.path, e)));
    results.push(itemResult(item, 'info', `start order (${strategy}): ${plan.startOrder}`));
  }
  return finish(edits, results, hasErrors(results) ? 1 : 0);
}
