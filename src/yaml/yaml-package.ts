/**
 * The yaml package, loaded the first time a caller needs it. Most runs never do: js-yaml reads a
 * ResourceList of block-style items (load.ts) and the line editor writes it, so the package is needed
 * only for the Document fallback, document-form lists, aliases and values that are themselves YAML, and
 * loading its ~190 files costs a pass-through a few percent of its time. Its CommonJS build is the one
 * an `import` would load too (the package has no other for Node), so the types are its own.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

type YamlPackage = typeof Yaml;

let loaded: YamlPackage | undefined;

export function yamlPackage(): YamlPackage {
  return (loaded ??= createRequire(import.meta.url)('yaml') as YamlPackage);
}
