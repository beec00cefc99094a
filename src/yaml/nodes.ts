/**
 * The yaml package's document model, for code that edits a Document it got from load.ts. Only node
 * predicates, constructors and types pass through here, never a parse function, so text can become a
 * Document only through load.ts and its limits. The editors stay beside what they edit and are not
 * moved in here. They work in the terms of the rest of src/ (a ResourceList's items and edits, a
 * preset's annotations), and keeping them out keeps src/yaml/ a leaf that imports nothing from src/.
 * The package is loaded when first asked for (yaml-package.ts): a node only exists once it is.
 */
import type { Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { yamlPackage } from './yaml-package.js';

export type { Document, Node, YAMLMap, YAMLSeq } from 'yaml';

export function isMap<K = unknown, V = unknown>(node: unknown): node is YAMLMap<K, V> {
  return yamlPackage().isMap(node);
}

export function isSeq<T = unknown>(node: unknown): node is YAMLSeq<T> {
  return yamlPackage().isSeq(node);
}

export function isScalar<T = unknown>(node: unknown): node is Scalar<T> {
  return yamlPackage().isScalar(node);
}

export function newMap(): YAMLMap {
  return new (yamlPackage().YAMLMap)();
}

export function newSeq(): YAMLSeq {
  return new (yamlPackage().YAMLSeq)();
}
