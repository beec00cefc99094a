import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import * as t from 'io-ts';
import type { WorkloadKind } from '../config/order-spec.js';
import { problemsOf } from '../config/io-ts-helpers.js';
import { valueAt, type Path } from '../resource-list/edit.js';
import type { Item, PlainObject } from '../resource-list/read.js';
import { itemResult, type Result } from '../resource-list/results.js';
import { podTemplatePathOf } from './kinds.js';

export const LOCAL_CONFIG_ANNOTATION = 'config.kubernetes.io/local-config';

/** A pod template found in an item: where it is, and its content as Kubernetes types. */
export interface PodTemplateRef {
  readonly item: Item;
  /** From the item root to the template (the object with metadata and spec); empty for a Pod. */
  readonly path: Path;
  readonly template: V1PodTemplateSpec & { spec: NonNullable<V1PodTemplateSpec['spec']> };
}

const Container = t.type({ name: t.string }, 'Container');
const StringMap = t.record(t.string, t.string, 'map of strings');
/** What the planner reads must have these shapes; everything else passes through untouched. */
const PodTemplate = t.type(
  {
    metadata: t.union([t.undefined, t.null, t.partial({ annotations: t.union([t.null, StringMap]), labels: t.union([t.null, StringMap]) })]),
    spec: t.intersection([t.type({ containers: t.array(Container, 'list of containers') }), t.partial({ initContainers: t.union([t.null, t.array(Container, 'list of containers')]) })]),
  },
  'PodTemplateSpec',
);

function isLocalConfig(item: PlainObject): boolean {
  const annotations = (item.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
  return annotations?.[LOCAL_CONFIG_ANNOTATION] === 'true';
}

/**
 * The pod template of one item, if it is a workload this function may change: local-config resources
 * are never mutated. A template not shaped as Kubernetes requires gives error results instead.
 */
export function podTemplateOf(item: Item, custom: readonly WorkloadKind[]): PodTemplateRef | readonly Result[] | undefined {
  const path = podTemplatePathOf(item.value.apiVersion, item.value.kind, custom);
  if (path === undefined || isLocalConfig(item.value)) return undefined;
  const raw = valueAt(item.value, path);
  // A workload without a template (a partial manifest) has nothing to order.
  if (raw === undefined || raw === null) return undefined;
  const decoded = PodTemplate.decode(raw);
  if (decoded._tag === 'Left') {
    return problemsOf(decoded.left).map((p) => {
      const field = [...path, p.path].filter((s) => s !== '').join('.');
      return itemResult(item.value, 'error', `pod template field ${field}: ${p.message}`, field);
    });
  }
  return { item, path, template: raw as PodTemplateRef['template'] };
}
