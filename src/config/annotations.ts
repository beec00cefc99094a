import type { DecodeProblem } from './io-ts-helpers.js';
import type { Rule, Sidecar } from './order-spec.js';
import { OrderSyntaxError, parseOrder } from './order-syntax.js';
import { parseSidecarList } from './function-config.js';

export const SIDECARS_ANNOTATION = 'order-containers.dev/sidecars';
export const ORDER_ANNOTATION = 'order-containers.dev/order';

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
  let sidecars: Sidecar[] | undefined;
  let rules: Rule[] | undefined;
  for (const key of [SIDECARS_ANNOTATION, ORDER_ANNOTATION]) {
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      problems.push({ path: fieldOf(key), message: `expected a string, got ${JSON.stringify(value)}` });
      continue;
    }
    if (key === SIDECARS_ANNOTATION) {
      const parsed = parseSidecarList(value);
      if (Array.isArray(parsed)) sidecars = parsed;
      else problems.push({ path: fieldOf(key), message: parsed.message });
    } else {
      try {
        rules = parseOrder(value);
      } catch (e) {
        if (!(e instanceof OrderSyntaxError)) throw e;
        problems.push({ path: fieldOf(key), message: e.message });
      }
    }
  }
  return { ...(sidecars ? { sidecars } : {}), ...(rules ? { rules } : {}), problems };
}
