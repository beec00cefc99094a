/**
 * The order a workload declares on itself, in its own annotations (order-containers.dev/sidecars and
 * order-containers.dev/order), written in the syntaxes of syntax.ts.
 */
import type { DecodeProblem } from '../codec/io-ts.js';
import type { Rule, Sidecar } from '../order/declaration.js';
import { parseField, parseOrder, parseReadyList, parseSidecarList, type ReadyAt } from './syntax.js';

const SIDECARS_ANNOTATION = 'order-containers.dev/sidecars';
const ORDER_ANNOTATION = 'order-containers.dev/order';
const READY_ANNOTATION = 'order-containers.dev/ready';
const SKIP_ANNOTATION = 'order-containers.dev/skip';
/** The annotations read on the workload's own metadata only (skip is read on its pod template too). */
const WORKLOAD_ANNOTATIONS = [SIDECARS_ANNOTATION, ORDER_ANNOTATION, READY_ANNOTATION];
/** The field of the workload's ready overrides, for results. */
export const READY_FIELD = `metadata.annotations.${READY_ANNOTATION}`;

/** The order a workload declares on itself; each part present replaces that part of the functionConfig. */
export interface WorkloadOrder {
  readonly sidecars?: readonly Sidecar[];
  readonly rules?: readonly Rule[];
  /** Paths are relative to the workload (`metadata.annotations.order-containers.dev/order`). */
  readonly problems: readonly DecodeProblem[];
}

function fieldOf(key: string, metadataAt = 'metadata'): string {
  return `${metadataAt}.annotations.${key}`;
}

function annotationsOf(metadata: unknown): Readonly<Record<string, unknown>> {
  const annotations = (metadata as { annotations?: unknown } | undefined)?.annotations;
  return typeof annotations === 'object' && annotations !== null ? (annotations as Record<string, unknown>) : {};
}

/** Reads `order-containers.dev/sidecars` and `order-containers.dev/order` from a workload's annotations. */
export function workloadOrderOf(metadata: unknown): WorkloadOrder | undefined {
  const record = annotationsOf(metadata);
  if (!(SIDECARS_ANNOTATION in record) && !(ORDER_ANNOTATION in record)) return undefined;
  const problems: DecodeProblem[] = [];
  const read = <A>(key: string, parse: (text: string) => A): A | undefined => {
    const value = record[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      problems.push({ path: fieldOf(key), message: `expected a string, got ${JSON.stringify(value)}` });
      return undefined;
    }
    const parsed = parseField(fieldOf(key), value, parse);
    if ('problem' in parsed) problems.push(parsed.problem);
    return 'value' in parsed ? parsed.value : undefined;
  };
  const sidecars = read(SIDECARS_ANNOTATION, parseSidecarList);
  const rules = read(ORDER_ANNOTATION, parseOrder);
  return { ...(sidecars ? { sidecars } : {}), ...(rules ? { rules } : {}), problems };
}

/**
 * Reads `order-containers.dev/ready` from a workload's annotations: where each named preset sidecar
 * serves readiness, over anything the preset reads from the container but the container's own probe.
 * It is no declaration of order: a workload that has only it is planned as the config selects it.
 */
export function readyOverridesOf(metadata: unknown): {
  readonly ready: ReadonlyMap<string, ReadyAt>;
  readonly problems: readonly DecodeProblem[];
} {
  const value = annotationsOf(metadata)[READY_ANNOTATION];
  if (value === undefined) return { ready: new Map(), problems: [] };
  if (typeof value !== 'string')
    return { ready: new Map(), problems: [{ path: READY_FIELD, message: `expected a string, got ${JSON.stringify(value)}` }] };
  const parsed = parseField(READY_FIELD, value, parseReadyList);
  return 'value' in parsed ? { ready: parsed.value, problems: [] } : { ready: new Map(), problems: [parsed.problem] };
}

/**
 * `order-containers.dev/skip: "true"` leaves a workload as it is, whatever the config or its own
 * annotations say. It is read on the workload and on its pod template (`templateAt`, the template's
 * path), where Istio's `sidecar.istio.io/inject: "false"` sits. The field that says it, or a problem.
 */
export function skipOf(
  metadata: unknown,
  templateMetadata: unknown,
  templateAt: string,
): { readonly skip: false } | { readonly skip: true; readonly field: string } | { readonly problem: DecodeProblem } {
  for (const [annotations, at] of [
    [annotationsOf(metadata), 'metadata'],
    [annotationsOf(templateMetadata), `${templateAt}.metadata`],
  ] as const) {
    const value = annotations[SKIP_ANNOTATION];
    if (value === undefined || value === 'false') continue;
    const field = fieldOf(SKIP_ANNOTATION, at);
    if (value === 'true') return { skip: true, field };
    return { problem: { path: field, message: `expected "true" or "false", got ${JSON.stringify(value)}` } };
  }
  return { skip: false };
}

/**
 * The order annotations written on a pod template, where they are not read: there they would also be
 * copied onto every Pod, and a change to them would restart the workload. Their fields, for a warning.
 */
export function misplacedAnnotations(templateMetadata: unknown, templateAt: string): string[] {
  const annotations = annotationsOf(templateMetadata);
  return WORKLOAD_ANNOTATIONS.filter((key) => key in annotations).map((key) => fieldOf(key, `${templateAt}.metadata`));
}
