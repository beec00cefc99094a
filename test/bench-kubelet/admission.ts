/**
 * The bench's admission step: what a mutating webhook does to a pod between the manifest and the node.
 * There is no API server on the bench, so the injectors' own rules (injectors/*.ts, each read from its
 * injector's source) run here on every pod template of the function's output, with the labels and
 * annotations of its Namespace when the manifest holds it, as the webhooks see them at pod creation.
 */
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { TEMPLATE_PATHS } from './bench.js';

type Item = Record<string, unknown>;

interface ObjectMeta {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A pod as an injector receives it: its template's metadata and spec, which it may change in place. */
export interface AdmittedPod {
  readonly metadata: ObjectMeta;
  readonly spec: V1PodSpec;
}

export interface AdmissionRequest {
  /** The workload's kind, as the webhook reads it from the pod's owner (a Job's pods run to completion). */
  readonly kind: string;
  readonly namespace: Readonly<Required<ObjectMeta>>;
  readonly pod: AdmittedPod;
}

/** One webhook: changes the pod in place when it injects it. */
export type Injector = (request: AdmissionRequest) => void;

/** Go's strconv.ParseBool, which the injectors use on their annotations: undefined when it is no boolean. */
export function parseGoBool(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** The pod's annotation `key`. */
export function annotation(pod: AdmittedPod, key: string): string | undefined {
  return pod.metadata.annotations?.[key];
}

/** Adds `container` at `index` of `list` (JSON patch `add`: `-` or the length appends). */
export function insertAt(list: V1Container[], index: number | '-', container: V1Container): void {
  list.splice(index === '-' ? list.length : index, 0, container);
}

function at(item: Item, path: readonly string[]): unknown {
  let v: unknown = item;
  for (const key of path) v = v && typeof v === 'object' ? (v as Item)[key] : undefined;
  return v;
}

/**
 * `items` as the node gets them: a copy in which every pod template went through each injector in turn,
 * as the API server calls the mutating webhooks one after the other.
 */
export function admit(items: readonly Item[], injectors: readonly Injector[]): Item[] {
  const copy = structuredClone(items) as Item[];
  const namespaces = new Map(
    copy
      .filter((i) => i.kind === 'Namespace')
      .map((i) => {
        const meta = (i.metadata ?? {}) as ObjectMeta & { name?: string };
        return [meta.name ?? '', { labels: meta.labels ?? {}, annotations: meta.annotations ?? {} }] as const;
      }),
  );
  for (const item of copy) {
    const path = TEMPLATE_PATHS[item.kind as string];
    const spec = path && (at(item, path) as V1PodSpec | undefined);
    if (!spec || !Array.isArray(spec.containers)) continue;
    const holder = (item.kind === 'Pod' ? item : at(item, path.slice(0, -1))) as Item;
    holder.metadata ??= {};
    const metadata = holder.metadata as ObjectMeta;
    const namespace = namespaces.get(((item.metadata ?? {}) as { namespace?: string }).namespace ?? 'default') ?? {
      labels: {},
      annotations: {},
    };
    for (const inject of injectors) inject({ kind: item.kind as string, namespace, pod: { metadata, spec } });
  }
  return copy;
}
