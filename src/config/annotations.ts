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
/** The field of the workload's ready overrides, for results. */
export const READY_FIELD = `metadata.annotations.${READY_ANNOTATION}`;

/** The order a workload declares on itself; each part present replaces that part of the functionConfig. */
export interface WorkloadOrder {
  readonly sidecars?: readonly Sidecar[];
  readonly rules?: readonly Rule[];
  /** Paths are relative to the workload (`metadata.annotations.order-containers.dev/order`). */
  readonly problems: readonly DecodeProblem[];
}

function fieldOf(key: string): string {
  return `metadata.annotations.${key}`;
}

/** Reads `order-containers.dev/sidecars` and `order-containers.dev/order` from a workload's annotations. */
export function workloadOrderOf(metadata: unknown): WorkloadOrder | undefined {
  const annotations = (metadata as { annotations?: unknown } | undefined)?.annotations;
  if (typeof annotations !== 'object' || annotations === null) return undefined;
  const record = annotations as Record<string, unknown>;
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
  const annotations = (metadata as { annotations?: unknown } | undefined)?.annotations;
  const value =
    typeof annotations === 'object' && annotations !== null ? (annotations as Record<string, unknown>)[READY_ANNOTATION] : undefined;
  if (value === undefined) return { ready: new Map(), problems: [] };
  if (typeof value !== 'string')
    return { ready: new Map(), problems: [{ path: READY_FIELD, message: `expected a string, got ${JSON.stringify(value)}` }] };
  const parsed = parseField(READY_FIELD, value, parseReadyList);
  return 'value' in parsed ? { ready: parsed.value, problems: [] } : { ready: new Map(), problems: [parsed.problem] };
}
