/**
 * Pod templates found in items, decoded to the shapes the planner reads.
 */
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import * as t from 'io-ts';
import { problemsOf } from '../codec/io-ts.js';
import { error, type Diagnostic } from '../diagnostic.js';
import { valueAt, type Path } from '../resource-list/edit.js';
import type { PlainObject } from '../resource-list/read.js';
import { podTemplatePathOf, UNLISTED_TEMPLATE_PATH, type WorkloadKind } from './kinds.js';

const LOCAL_CONFIG_ANNOTATION = 'config.kubernetes.io/local-config';

/** A pod template found in an item: where it is, and its content as Kubernetes types. */
export interface PodTemplateRef {
  /** From the item root to the template (the object with metadata and spec); empty for a Pod. */
  readonly path: Path;
  readonly template: V1PodTemplateSpec & { spec: NonNullable<V1PodTemplateSpec['spec']> };
}

const Container = t.type({ name: t.string }, 'Container');
const StringMap = t.record(t.string, t.string, 'map of strings');
/** What the planner reads must have these shapes; everything else passes through untouched. */
const PodTemplate = t.type(
  {
    metadata: t.union([
      t.undefined,
      t.null,
      t.partial({ annotations: t.union([t.null, StringMap]), labels: t.union([t.null, StringMap]) }),
    ]),
    spec: t.intersection([
      t.type({ containers: t.array(Container, 'list of containers') }),
      t.partial({ initContainers: t.union([t.null, t.array(Container, 'list of containers')]) }),
    ]),
  },
  'PodTemplateSpec',
);

function isLocalConfig(item: PlainObject): boolean {
  const annotations = (item.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
  return annotations?.[LOCAL_CONFIG_ANNOTATION] === 'true';
}

/**
 * True when the item holds what looks like a pod template (`spec.template.spec.containers`, a list) but
 * is of no kind known here, built in or configured: the hint, when no workload matched, that the config's
 * workloadKinds may be missing it.
 */
export function holdsUnlistedPodTemplate(item: PlainObject, custom: readonly WorkloadKind[]): boolean {
  if (podTemplatePathOf(item.apiVersion, item.kind, custom) !== undefined) return false;
  return Array.isArray(valueAt(item, [...UNLISTED_TEMPLATE_PATH, 'spec', 'containers']));
}

/**
 * The pod template of one item, if it is a workload this function may change: local-config resources
 * are never mutated. A template not shaped as Kubernetes requires gives problems (fields relative to
 * the item) instead.
 */
export function podTemplateOf(
  item: PlainObject,
  custom: readonly WorkloadKind[],
): PodTemplateRef | { readonly problems: readonly Diagnostic[] } | undefined {
  const path = podTemplatePathOf(item.apiVersion, item.kind, custom);
  if (path === undefined || isLocalConfig(item)) return undefined;
  const raw = valueAt(item, path);
  // A workload without a template (a partial manifest) has nothing to order.
  if (raw === undefined || raw === null) return undefined;
  const decoded = PodTemplate.decode(raw);
  if (decoded._tag === 'Left') {
    const problems = problemsOf(decoded.left).map((p) => {
      const field = [...path, p.path].filter((s) => s !== '').join('.');
      return error(`pod template field ${field}: ${p.message}`, field);
    });
    return { problems };
  }
  return { path, template: raw as PodTemplateRef['template'] };
}
