/**
 * Manifests as users hand them to the bench: a ResourceList, a YAML stream, or a kpt package folder whose
 * Kptfile's first mutator names the config (configPath or configMap).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import jsYaml from 'js-yaml';

export type Item = Record<string, unknown>;

export function loadAll(file: string): Item[] {
  return (jsYaml.loadAll(readFileSync(file, 'utf8')) as unknown[]).filter((d): d is Item => d !== null && typeof d === 'object');
}

export interface Input {
  readonly items: Item[];
  readonly functionConfig?: Item;
}

/** A kpt package: its resources, and the first mutator's config from the Kptfile (configPath or configMap). */
export function readPackage(dir: string): Input {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter(
    (e) => e.isFile() && /\.ya?ml$/.test(e.name) && !join(e.parentPath, e.name).includes('/.expected/') && e.name !== 'Kptfile',
  );
  const items = files.flatMap((e) => loadAll(join(e.parentPath, e.name)));
  const kptfile = join(dir, 'Kptfile');
  if (!existsSync(kptfile)) return { items };
  const kpt = jsYaml.load(readFileSync(kptfile, 'utf8')) as { pipeline?: { mutators?: { configPath?: string; configMap?: Record<string, string> }[] } };
  const mutator = kpt.pipeline?.mutators?.[0];
  if (mutator?.configMap) return { items, functionConfig: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'function-input' }, data: mutator.configMap } };
  if (mutator?.configPath) {
    const configFile = join(dir, mutator.configPath);
    const config = loadAll(configFile)[0];
    return { items: items.filter((i) => !(i.kind === config?.kind && (i.metadata as Item)?.name === (config?.metadata as Item)?.name)), ...(config ? { functionConfig: config } : {}) };
  }
  return { items };
}

export function readInput(path: string): Input {
  if (statSync(path).isDirectory()) return readPackage(path);
  const docs = loadAll(path);
  const list = docs.length === 1 && docs[0]!.kind === 'ResourceList' ? docs[0]! : undefined;
  if (list) return { items: (list.items as Item[]) ?? [], ...(list.functionConfig ? { functionConfig: list.functionConfig as Item } : {}) };
  return { items: docs };
}
