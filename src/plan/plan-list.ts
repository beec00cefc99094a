/**
 * The pure core: items and a decoded config in, one outcome per workload out (its edits and
 * diagnostics), nothing written. The function writes the edits and turns the diagnostics into results
 * (function.ts); explain applies the edits to plain objects (explain/explain.ts).
 */
import { misplacedAnnotations, READY_FIELD, readyOverridesOf, skipOf, workloadOrderOf } from '../config/annotations.js';
import type { ReadyAt } from '../config/syntax.js';
import type { FunctionConfig } from '../config/function-config.js';
import { orderSpec, type OrderSpec } from '../config/order-spec.js';
import { clusterDefault, mechanismNamed } from '../mechanisms/index.js';
import { matchPresets, NO_PRESETS, planPresets, type NamespaceMeta, type PresetPlan, type TemplateView } from '../presets/apply.js';
import { APPLIED_ANNOTATION, formatApplied, formatSteps, type Applied } from '../protocol/applied.js';
import { editBelowMergedKey, valueAt, type Edit, type Path } from '../resource-list/edit.js';
import type { Item, PlainObject } from '../resource-list/read.js';
import { resourceRefOf } from '../resource-list/results.js';
import { holdsUnlistedPodTemplate, podTemplateOf, type PodTemplateRef } from '../workloads/pod-templates.js';
import { podTemplatePathOf } from '../workloads/kinds.js';
import { runsToCompletion } from '../workloads/pods.js';
import { namespaceOf, namesExactly, selects, stringMap } from '../workloads/selector.js';
import { namedTargetPortsIn, targetPortsSelecting, type NamedTargetPort } from '../workloads/services.js';
import { error, fieldPath, under, type Diagnostic } from '../diagnostic.js';
import { planPod } from './plan-pod.js';

/** What the planner decided for one workload (an item with a pod template). */
export interface WorkloadOutcome {
  readonly index: number;
  /** The item as read: results name it. */
  readonly item: PlainObject;
  /** Relative to the item. */
  readonly edits: readonly Edit[];
  /** Fields relative to the item, in the order they were found. */
  readonly diagnostics: readonly Diagnostic[];
  /** The workload asked for exactly these containers (it names itself, or declares its own order). */
  readonly asked: boolean;
  /** What the edits realise, or, in validate mode, what applying them would. */
  readonly applied?: Applied;
  /** The names of the pod's containers and init containers, when the workload was selected and read. */
  readonly containers?: readonly string[];
  /** The workload opted out (order-containers.dev/skip) and is left as it is. */
  readonly optedOut?: true;
}

/** The Namespaces in the list, whose labels and annotations opt their workloads into injection. */
function namespacesIn(values: Iterable<PlainObject>): Map<string, NamespaceMeta> {
  const found = new Map<string, NamespaceMeta>();
  for (const value of values) {
    if (value.apiVersion !== 'v1' || value.kind !== 'Namespace') continue;
    const metadata = stringMap(value.metadata) as Record<string, unknown>;
    if (typeof metadata.name !== 'string') continue;
    found.set(metadata.name, { name: metadata.name, labels: stringMap(metadata.labels), annotations: stringMap(metadata.annotations) });
  }
  return found;
}

function prefixed(prefix: Path, edit: Edit): Edit {
  switch (edit.op) {
    case 'set':
    case 'insert':
    case 'remove':
      return { ...edit, path: [...prefix, ...edit.path] };
    case 'move':
      return { ...edit, from: [...prefix, ...edit.from], to: [...prefix, ...edit.to] };
  }
}

/** The ConfigMaps in the list, by namespace and name: presets read a sidecar's config files in them. */
type ConfigMaps = ReadonlyMap<string, Readonly<Record<string, string>>>;

function configMapsIn(values: Iterable<PlainObject>): ConfigMaps {
  const found = new Map<string, Readonly<Record<string, string>>>();
  for (const value of values) {
    if (value.apiVersion !== 'v1' || value.kind !== 'ConfigMap') continue;
    const metadata = stringMap(value.metadata) as Record<string, unknown>;
    if (typeof metadata.name !== 'string') continue;
    const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : '';
    found.set(`${namespace}/${metadata.name}`, stringMap(value.data));
  }
  return found;
}

/** One workload as the presets see it, read once: its kind, pod template, namespace and ready overrides. */
interface PresetInput {
  readonly kind: string;
  readonly template: PodTemplateRef['template'];
  readonly pod: TemplateView;
  /** Its own, else the config's; undefined when neither says. */
  readonly namespace: string | undefined;
  readonly overrides: ReadonlyMap<string, ReadyAt>;
}

/** What the config's presets add to one pod template's order (NO_PRESETS when none applies). */
function presetsFor(
  spec: OrderSpec,
  { kind, template, pod, namespace, overrides }: PresetInput,
  declared: OrderSpec['sidecars'],
  namespaces: ReadonlyMap<string, NamespaceMeta>,
  configMapsInList: () => ConfigMaps,
): PresetPlan {
  if (spec.presets.length === 0 && overrides.size === 0) return NO_PRESETS;
  const matches = matchPresets(spec.presets, pod, namespace === undefined ? undefined : namespaces.get(namespace));
  // An entry for a container no preset reads would be silently ignored: said, naming the field.
  const read = new Set(matches.flatMap((m) => (m.kind === 'container' ? [m.container.name] : [])));
  const unread: Diagnostic[] = [...overrides.keys()]
    .filter((name) => !read.has(name))
    .map((name) => ({
      severity: 'warning',
      message: `${READY_FIELD} names ${name}, which no preset matched in this pod: the entry is not used; give ${name} a readinessProbe or startupProbe`,
    }));
  if (matches.length === 0) return unread.length > 0 ? { ...NO_PRESETS, notes: unread } : NO_PRESETS;
  const ns = namespace ?? '';
  // A workload without a namespace is applied with its ConfigMaps into one: those without one are its.
  const configMap = (name: string): Readonly<Record<string, string>> | undefined =>
    configMapsInList().get(`${ns}/${name}`) ?? configMapsInList().get(`/${name}`);
  const cluster = clusterDefault(spec.kubernetesVersion);
  const mechanism = spec.strategy === 'auto' ? cluster : mechanismNamed(spec.strategy);
  const plan = planPresets(
    matches,
    {
      timeoutSeconds: spec.timeoutSeconds,
      stopsJobSidecars: mechanism.stopsJobSidecars,
      // Wrappers cannot reach a container an injector adds: it is told what the cluster's default can do.
      injectionMode: ('injection' in mechanism ? mechanism.injection : undefined) ?? cluster.injection!,
      declaredSidecars: declared,
      workloadKind: kind,
      runsToCompletion: runsToCompletion(template.spec) !== undefined,
      readyOverrides: overrides,
      configMap,
      validateOnly: spec.mode === 'validate',
    },
    pod,
  );
  return unread.length > 0 ? { ...plan, notes: [...plan.notes, ...unread] } : plan;
}

/** The labels, annotations and containers of a pod template that presets match against. */
function templateView(template: PodTemplateRef['template']): TemplateView {
  return {
    labels: template.metadata?.labels ?? {},
    annotations: template.metadata?.annotations ?? {},
    containers: template.spec.containers,
    initContainers: template.spec.initContainers ?? [],
    volumes: template.spec.volumes ?? [],
  };
}

/**
 * For a workload with no namespace, known or configured: a warning when a Namespace in the list opts it
 * into a preset's injection that it is not in by its own word, since it may be applied there and get
 * the sidecar without the annotations that order it. Whatever its namespace, then, it is not "in order".
 */
function unknownNamespace(
  spec: OrderSpec,
  { pod, namespace }: PresetInput,
  namespaces: ReadonlyMap<string, NamespaceMeta>,
): Diagnostic | undefined {
  if (spec.presets.length === 0 || namespaces.size === 0 || namespace !== undefined) return undefined;
  const already = new Set(matchPresets(spec.presets, pod, undefined).map((m) => m.preset.name));
  const optIns = [...namespaces.values()].flatMap((ns) =>
    matchPresets(spec.presets, pod, ns)
      .filter((m) => m.kind === 'injected' && !already.has(m.preset.name))
      .map((m) => `preset ${m.preset.name} (${m.why})`),
  );
  if (optIns.length === 0) return undefined;
  return {
    severity: 'warning',
    message: `it has no metadata.namespace, so the presets cannot tell which Namespace's opt-ins apply to it, and ${optIns.join('; ')} would apply in that namespace; set the namespace it will be applied into as the config's namespace (ContainerOrder spec.namespace, ConfigMap key namespace), or give it metadata.namespace`,
    field: 'metadata.namespace',
  };
}

/** The field an edit changes, as results name fields (a move changes both ends: named by where it lands). */
function changedField(edit: Edit): string {
  return fieldPath(edit.op === 'move' ? edit.to : edit.path);
}

/** A warning for each order annotation on the pod template (`at`), where it is not read. */
function misplacedOrder(templateMetadata: unknown, at: string): Diagnostic[] {
  return misplacedAnnotations(templateMetadata, at).map((field) => ({
    severity: 'warning',
    message: `${field} is not read on the pod template (it would be copied onto every Pod); write it in the workload's metadata.annotations`,
    field,
  }));
}

/**
 * Plans one workload, if the item is one. The order it declares in its own annotations replaces that
 * part of the config; the presets that apply add to it.
 */
function planWorkload(
  config: PlanConfig,
  index: number,
  item: PlainObject,
  namespaces: ReadonlyMap<string, NamespaceMeta>,
  servicesInList: () => readonly NamedTargetPort[],
  configMapsInList: () => ConfigMaps,
): WorkloadOutcome | undefined {
  const own = workloadOrderOf(item.metadata);
  const spec = config.kind === 'spec' ? config.spec : NO_CONFIG;
  const outcomeOf =
    (asked: boolean, containers?: readonly string[]) =>
    (diagnostics: readonly Diagnostic[], edits: readonly Edit[] = [], applied?: Applied): WorkloadOutcome => ({
      index,
      item,
      edits,
      diagnostics,
      asked,
      ...(applied ? { applied } : {}),
      ...(containers ? { containers } : {}),
    });
  if (own === undefined && (config.kind !== 'spec' || !selects(spec.selector, item, spec.namespace))) {
    // An order written where it is not read must not pass in silence, selected or not.
    const path = podTemplatePathOf(item.apiVersion, item.kind, spec.workloadKinds);
    const misplaced = path ? misplacedOrder(valueAt(item, [...path, 'metadata']), path.join('.')) : [];
    return misplaced.length > 0 ? outcomeOf(true)(misplaced) : undefined;
  }
  const found = podTemplateOf(item, spec.workloadKinds);
  if (found === undefined) return undefined;
  if (!('template' in found)) return outcomeOf(own !== undefined || namesExactly(spec.selector, item))(found.problems);
  const at = found.path.join('.');
  const { template } = found;
  const outcome = outcomeOf(
    own !== undefined || namesExactly(spec.selector, item),
    [...template.spec.containers, ...(template.spec.initContainers ?? [])].map((c) => c.name),
  );
  const skip = skipOf(item.metadata, template.metadata, at);
  if ('problem' in skip) return outcome([error(`${skip.problem.path}: ${skip.problem.message}`, skip.problem.path)]);
  if (skip.skip)
    return { ...outcome([{ severity: 'info', message: `left as it is: ${skip.field} is "true"`, field: skip.field }]), optedOut: true };
  const overrides = readyOverridesOf(item.metadata);
  const problems = [...(own?.problems ?? []), ...overrides.problems];
  if (problems.length > 0) return outcome(problems.map((p) => error(`${p.path}: ${p.message}`, p.path)));
  const misplaced = misplacedOrder(template.metadata, at);
  const namespace = namespaceOf(item, spec.namespace);
  const input: PresetInput = { kind: String(item.kind), template, pod: templateView(template), namespace, overrides: overrides.ready };
  const declared = own?.sidecars ?? spec.sidecars;
  const presets = presetsFor(spec, input, declared, namespaces, configMapsInList);
  const unknown = unknownNamespace(spec, input, namespaces);
  const presetNotes = [...misplaced, ...(unknown ? [unknown] : []), ...under(at, presets.notes)];
  if (presets.notes.some((n) => n.severity === 'error')) return outcome(presetNotes);
  const sidecars = [...declared, ...presets.sidecars];
  const rules = own?.rules ?? spec.rules;
  // A pod of sidecars alone (the collector chart's own Deployment) has nothing to order: no container
  // waits for another. Unless its pods run to completion, where the sidecars must still be stopped once
  // the (empty) work is done, or an earlier run left its work there, which planning must undo or keep.
  const sidecarNames = new Set(sidecars.map((s) => s.name));
  const containerNames = template.spec.containers.map((c) => c.name);
  if (
    containerNames.every((n) => sidecarNames.has(n)) &&
    // Names must be unique for that to mean anything; planning says so when they are not.
    new Set(containerNames).size === containerNames.length &&
    (template.spec.initContainers ?? []).length === 0 &&
    runsToCompletion(template.spec) === undefined &&
    !rules.some((r) => containerNames.includes(r.container)) &&
    template.metadata?.annotations?.[APPLIED_ANNOTATION] === undefined
  )
    return outcome([
      ...presetNotes.filter((n) => n.severity !== 'info'),
      { severity: 'info', message: `nothing to order: every container of this pod is a sidecar, so none waits for another` },
    ]);
  // The Services are read only for a pod whose sidecars name a port, the only ones native may move away from them.
  const namesPort = template.spec.containers.some((c) => sidecarNames.has(c.name) && (c.ports ?? []).some((p) => p.name));
  const plan = planPod(spec, {
    workloadKind: String(item.kind),
    podSpec: template.spec,
    annotations: template.metadata?.annotations ?? {},
    sidecars,
    rules,
    hints: presets,
    entrypoints: presets.entrypoints,
    serviceTargetPorts: namesPort ? targetPortsSelecting(servicesInList(), namespace, template.metadata?.labels ?? {}) : new Map(),
  });
  const diagnostics = [...presetNotes, ...under(at, plan.diagnostics)];
  // Preset edits name containers where they are now: they go before the plan's moves.
  const edits = [...presets.edits, ...plan.edits];
  if (plan.diagnostics.some((d) => d.severity === 'error') || edits.length === 0) return outcome(diagnostics);
  const applied: Applied = { mechanism: plan.mechanism, steps: [...presets.injected, ...plan.steps] };
  const said = formatApplied(applied);
  const annotate: Edit = { op: 'set', path: ['metadata', 'annotations', APPLIED_ANNOTATION], value: said };
  const itemEdits = [...edits, annotate].map((e) => prefixed(found.path, e));
  if (spec.mode === 'validate')
    return outcome(
      [
        ...diagnostics,
        error(
          `the declared order is not realised; applying it would give ${said}, changing ${[...new Set(itemEdits.map(changedField))].join(', ')}`,
          at || undefined,
        ),
      ],
      [],
      applied,
    );
  const merged = editBelowMergedKey(item, itemEdits);
  if (merged !== undefined) {
    const field = fieldPath(merged);
    return outcome([
      ...diagnostics,
      error(
        `${field} comes from a YAML merge key (<<), as kubectl and kustomize read it, and applying the order would write below it, which would replace the merged value rather than change it; write ${String(merged[merged.length - 1])} out in the item instead of merging it`,
        field,
      ),
    ]);
  }
  return outcome(
    [...diagnostics, { severity: 'info', message: `start order (${applied.mechanism}): ${formatSteps(applied.steps)}` }],
    itemEdits,
    applied,
  );
}

/** `read`, called the first time the result is asked for, and never again. */
function once<T>(read: () => T): () => T {
  let value: { readonly v: T } | undefined;
  return () => (value ??= { v: read() }).v;
}

/**
 * The items that may be of `kind`, read, for a search before (or besides) the pass that reads them all:
 * an item whose text cannot hold the name is not parsed twice. A malformed one is still found, by that pass.
 * When one that may hold the name is malformed, the items before it are read first, so that the run
 * names the first malformed item in the list, as it did when the search read every item.
 */
function readMaybeOf(items: readonly Item[], kind: string): PlainObject[] {
  const found: PlainObject[] = [];
  items.forEach((item, at) => {
    if (!item.mayHold(kind)) return;
    try {
      found.push(item.read());
    } catch (e) {
      for (const before of items.slice(0, at)) before.read();
      throw e;
    }
  });
  return found;
}

/** A config that decoded: with none, only workloads that declare their own order are planned. */
export type PlanConfig = Exclude<FunctionConfig, { kind: 'invalid' }>;

/** With no functionConfig, workloads that declare their own order get the defaults for the rest. */
const NO_CONFIG: OrderSpec = orderSpec();

/**
 * Every workload's outcome, item by item, so that an item can be written (and let go) at once. Every
 * item is read, even when there is nothing to do: a malformed one must fail the run. Items that look
 * like workloads (a pod template at spec.template) but are of no kind known here nor in the config's
 * workloadKinds go to `unlisted` as `Kind/name (apiVersion)`, to be named when no workload matched:
 * found in this pass, since a second one would read every item again.
 */
export function* planList(items: readonly Item[], config: PlanConfig, unlisted: string[] = []): Generator<WorkloadOutcome> {
  // Presets read the labels of Namespaces anywhere in the list, so they are found first.
  const namespaces =
    config.kind === 'spec' && config.spec.presets.length > 0
      ? namespacesIn(readMaybeOf(items, 'Namespace'))
      : new Map<string, NamespaceMeta>();
  // Services that target a port by name are found the first time a pod needs them, ConfigMaps the
  // first time a preset looks for a sidecar's config file: a second read of the items is paid only by
  // a list that has such a pod.
  const servicesInList = once(() => namedTargetPortsIn(readMaybeOf(items, 'Service')));
  const configMapsInList = once(() => configMapsIn(readMaybeOf(items, 'ConfigMap')));
  const custom = config.kind === 'spec' ? config.spec.workloadKinds : [];
  for (const item of items) {
    const value = item.read();
    const outcome = planWorkload(config, item.index, value, namespaces, servicesInList, configMapsInList);
    if (outcome) yield outcome;
    else if (holdsUnlistedPodTemplate(value, custom)) {
      const ref = resourceRefOf(value);
      unlisted.push(`${ref.kind}/${ref.name} (${ref.apiVersion})`);
    }
  }
}
