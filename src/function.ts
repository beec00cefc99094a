import { workloadOrderOf, type WorkloadOrder } from './config/annotations.js';
import { decodeFunctionConfig } from './config/function-config.js';
import { DEFAULTS, type OrderSpec } from './config/order-spec.js';
import { runsToCompletion } from './plan/pod-plan.js';
import { clusterStrategy, planPod } from './plan/plan.js';
import { matchPresets, NO_PRESETS, planPresets, type NamespaceMeta, type PresetPlan, type TemplateView } from './presets/apply.js';
import type { Edit, Path } from './resource-list/edit.js';
import type { Item, PlainObject, ResourceList } from './resource-list/read.js';
import { hasErrors, itemResult, resourceRefOf, type Result } from './resource-list/results.js';
import { ResourceListWriter } from './resource-list/write.js';
import { podTemplateOf, type PodTemplateRef } from './workloads/pod-templates.js';
import { namesExactly, selects, stringMap } from './workloads/selector.js';

/** Records on the pod template what the function did, so a later run (or a reader) recognises it. */
export const APPLIED_ANNOTATION = 'order-containers.dev/applied';

/** 0 ok, 1 an error result, 2 bad input or crash, 3 bad functionConfig (kpt-functions' codes). */
export type ExitCode = 0 | 1 | 2 | 3;

export interface FunctionRun {
  /** The output ResourceList in pieces, to be written in order (see ResourceListWriter.chunks). */
  readonly chunks: readonly string[];
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

function configResult(config: unknown, severity: Result['severity'], message: string, path?: string): Result {
  const looksLikeResource = typeof config === 'object' && config !== null && 'kind' in config;
  return {
    message,
    severity,
    ...(looksLikeResource ? { resourceRef: resourceRefOf(config as PlainObject) } : {}),
    ...(path ? { field: { path } } : {}),
  };
}

/** With no functionConfig, only workloads that declare their own order are ordered, with the defaults. */
const NO_CONFIG: OrderSpec = { ...DEFAULTS, selector: {}, sidecars: [], rules: [], workloadKinds: [], entrypoints: [], presets: [] };

/** The whole function: config → pod templates → plans → edits → ResourceList with results. */
export function runFunction(list: ResourceList, functionConfig: unknown = list.functionConfig): FunctionRun {
  const writer = new ResourceListWriter(list);
  const config = decodeFunctionConfig(functionConfig);
  const spec = config.kind === 'spec' ? config.spec : NO_CONFIG;
  const results: Result[] = [];
  const namespaces = spec.presets.length > 0 ? namespacesIn(list) : new Map<string, NamespaceMeta>();
  let considered = 0;
  for (const listed of list.items) {
    // Every item is read, even when there is nothing to do: a malformed one must fail the run.
    const item: Item = { index: listed.index, value: listed.value };
    if (config.kind === 'invalid') continue;
    const own = workloadOrderOf(item.value.metadata);
    if (own === undefined && (config.kind !== 'spec' || !selects(spec.selector, item.value))) continue;
    if (orderWorkload(spec, item, own, namespaces, writer, results)) considered++;
  }

  const finish = (exitCode: ExitCode, all: Result[]): FunctionRun => ({ chunks: writer.chunks(all), exitCode, results: all });
  if (config.kind === 'invalid') {
    return finish(
      3,
      config.problems.map((p) => configResult(functionConfig, 'error', `functionConfig ${p.path}: ${p.message}`, p.path || undefined)),
    );
  }
  if (results.length === 0) {
    const message =
      config.kind === 'none' && considered === 0
        ? `nothing to do: ${config.reason}`
        : considered === 0
          ? 'nothing to do: no workload matched the selector'
          : spec.mode === 'validate'
            ? `the ${considered} selected workload(s) realise their declared order`
            : `nothing to do: the ${considered} selected workload(s) are already in order`;
    results.push(configResult(functionConfig, 'info', message));
  }
  return finish(hasErrors(results) ? 1 : 0, results);
}

/** The Namespaces in the list, whose labels and annotations opt their workloads into injection. */
function namespacesIn(list: ResourceList): Map<string, NamespaceMeta> {
  const found = new Map<string, NamespaceMeta>();
  for (const { value } of list.items) {
    if (value.apiVersion !== 'v1' || value.kind !== 'Namespace') continue;
    const metadata = stringMap(value.metadata) as Record<string, unknown>;
    if (typeof metadata.name !== 'string') continue;
    found.set(metadata.name, { name: metadata.name, labels: stringMap(metadata.labels), annotations: stringMap(metadata.annotations) });
  }
  return found;
}

/** What the config's presets add to one pod template's order (NO_PRESETS when none applies). */
function presetsFor(
  spec: OrderSpec,
  item: Item,
  template: PodTemplateRef['template'],
  declaredSidecars: OrderSpec['sidecars'],
  namespaces: ReadonlyMap<string, NamespaceMeta>,
): PresetPlan {
  if (spec.presets.length === 0) return NO_PRESETS;
  const pod: TemplateView = {
    labels: template.metadata?.labels ?? {},
    annotations: template.metadata?.annotations ?? {},
    containers: template.spec.containers,
    initContainers: template.spec.initContainers ?? [],
  };
  const namespace = (item.value.metadata as { namespace?: unknown } | undefined)?.namespace;
  const matches = matchPresets(spec.presets, pod, typeof namespace === 'string' ? namespaces.get(namespace) : undefined);
  if (matches.length === 0) return NO_PRESETS;
  const cluster = clusterStrategy(spec);
  return planPresets(
    matches,
    {
      timeoutSeconds: spec.timeoutSeconds,
      strategy: spec.strategy === 'auto' ? cluster : spec.strategy,
      // Injectors know native sidecars and postStart holds; wrappers cannot reach an injected container.
      injectionMode: spec.strategy === 'native' || spec.strategy === 'postStart' ? spec.strategy : cluster,
      declaredSidecars,
      workloadKind: String(item.value.kind),
      runsToCompletion: runsToCompletion(template.spec) !== undefined,
    },
    pod,
  );
}

/**
 * Plans and edits one workload; true when it is a workload with a pod template. The order it declares
 * in its own annotations replaces that part of the functionConfig; the presets that apply add to it.
 */
function orderWorkload(
  spec: OrderSpec,
  item: Item,
  own: WorkloadOrder | undefined,
  namespaces: ReadonlyMap<string, NamespaceMeta>,
  writer: ResourceListWriter,
  results: Result[],
): boolean {
  const found = podTemplateOf(item, spec.workloadKinds);
  if (found === undefined) return false;
  if (!('template' in found)) {
    results.push(...found);
    return true;
  }
  if (own && own.problems.length > 0) {
    for (const p of own.problems) results.push(itemResult(item.value, 'error', `${p.path}: ${p.message}`, p.path));
    return true;
  }
  const { template } = found;
  const declaredSidecars = own?.sidecars ?? spec.sidecars;
  const presets = presetsFor(spec, item, template, declaredSidecars, namespaces);
  for (const note of presets.notes) results.push(itemResult(item.value, note.severity, note.message, fieldOf(found.path, note.field)));
  if (presets.notes.some((n) => n.severity === 'error')) return true;
  const plan = planPod(
    spec,
    String(item.value.kind),
    template.spec,
    [...declaredSidecars, ...presets.sidecars],
    own?.rules ?? spec.rules,
    template.metadata?.annotations ?? {},
    presets,
  );
  // A workload that names itself, or declares its own order, asked for exactly these containers.
  const asked = own !== undefined || namesExactly(spec.selector, item.value);
  for (const note of plan.notes) results.push(itemResult(item.value, asked ? 'error' : 'info', note.message, fieldOf(found.path, note.field)));
  if (plan.problems.length > 0) {
    for (const p of plan.problems) results.push(itemResult(item.value, 'error', p.message, fieldOf(found.path, p.field)));
    return true;
  }
  for (const w of plan.warnings) results.push(itemResult(item.value, 'warning', w.message, fieldOf(found.path, w.field)));
  const { strategy } = plan;
  if (plan.fallbackReason) results.push(itemResult(item.value, 'info', `strategy auto chose entrypoint for this pod: ${plan.fallbackReason}`));
  // Preset edits name containers where they are now: they go before the plan's moves.
  const edits = [...presets.edits, ...plan.edits];
  if (edits.length === 0) return true;
  const startOrder = [...presets.injected, plan.startOrder].filter((s) => s !== '').join(' -> ');
  if (spec.mode === 'validate') {
    results.push(itemResult(item.value, 'error', `the declared order is not realised; applying it would give ${strategy}: ${startOrder}`, found.path.join('.') || undefined));
    return true;
  }
  const applied: Edit = { op: 'set', path: ['metadata', 'annotations', APPLIED_ANNOTATION], value: `${strategy}: ${startOrder}` };
  writer.edit(item.index, item.value, [...edits, applied].map((e) => prefixed(found.path, e)));
  results.push(itemResult(item.value, 'info', `start order (${strategy}): ${startOrder}`));
  return true;
}
