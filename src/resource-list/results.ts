/**
 * KRM results: what a run says about each resource, with the resource and, when known, its file.
 */
import type { Severity } from '../diagnostic.js';
import type { PlainObject } from './read.js';

/** The KRM Functions Specification's result, v1 shape. */

export interface ResourceRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface Result {
  readonly message: string;
  readonly severity: Severity;
  readonly resourceRef?: ResourceRef;
  readonly field?: { readonly path: string; readonly currentValue?: unknown; readonly proposedValue?: unknown };
  readonly file?: { readonly path: string; readonly index?: number };
  readonly tags?: Readonly<Record<string, string>>;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function record(v: unknown): PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as PlainObject) : {};
}

export function resourceRefOf(item: PlainObject): ResourceRef {
  const metadata = record(item.metadata);
  const namespace = str(metadata.namespace);
  return {
    apiVersion: str(item.apiVersion) ?? '',
    kind: str(item.kind) ?? '',
    name: str(metadata.name) ?? '',
    ...(namespace ? { namespace } : {}),
  };
}

/** Where kpt and kustomize say the item came from; the legacy annotations are read when the new ones are absent. */
export function fileOf(item: PlainObject): Result['file'] {
  const annotations = record(record(item.metadata).annotations);
  const path = str(annotations['internal.config.kubernetes.io/path']) ?? str(annotations['config.kubernetes.io/path']);
  if (path === undefined) return undefined;
  const rawIndex = str(annotations['internal.config.kubernetes.io/index']) ?? str(annotations['config.kubernetes.io/index']);
  const index = rawIndex !== undefined && /^\d+$/.test(rawIndex) ? Number(rawIndex) : undefined;
  return index === undefined ? { path } : { path, index };
}

/** A result about one item: names the resource and, when known, its file. */
export function itemResult(item: PlainObject, severity: Severity, message: string, fieldPath?: string): Result {
  const file = fileOf(item);
  return {
    message,
    severity,
    resourceRef: resourceRefOf(item),
    ...(fieldPath !== undefined ? { field: { path: fieldPath } } : {}),
    ...(file ? { file } : {}),
  };
}

export function hasErrors(results: readonly Result[]): boolean {
  return results.some((r) => r.severity === 'error');
}
