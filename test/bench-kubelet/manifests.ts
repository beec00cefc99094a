/**
 * Manifests as users hand them to the bench: a ResourceList, a YAML stream, or a kpt package folder whose
 * Kptfile's first mutator names the config (configPath or configMap).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsYaml from 'js-yaml';
import { parseAllDocuments } from 'yaml';

const CLI = fileURLToPath(new URL('../../src/main.js', import.meta.url));

export type Item = Record<string, unknown>;

export function loadAll(file: string): Item[] {
  return (jsYaml.loadAll(readFileSync(file, 'utf8')) as unknown[]).filter((d): d is Item => d !== null && typeof d === 'object');
}

/** The functionConfig kpt makes of `key=value` arguments (and of a Kptfile's configMap). */
export function configMapConfig(data: Readonly<Record<string, string>>): Item {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'function-input' }, data };
}

export interface Rendered {
  /** The function's exit code. */
  readonly status: number | null;
  readonly items: Item[];
  readonly results: readonly { readonly severity?: string; readonly message: string }[];
  readonly stderr: string;
}

/** The built function run on `items` (as its CLI, the way kpt runs it), with `functionConfig`. */
export function render(items: readonly Item[], functionConfig?: Item): Rendered {
  const list = { apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items, ...(functionConfig ? { functionConfig } : {}) };
  const r = spawnSync(process.execPath, [CLI, '--json'], {
    input: JSON.stringify(list),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  const out = r.stdout ? (JSON.parse(r.stdout) as { items?: Item[]; results?: Rendered['results'] }) : {};
  return { status: r.status, items: out.items ?? [], results: out.results ?? [], stderr: r.stderr };
}

/**
 * YAML as kubectl hands it to the API server: go-yaml under sigs.k8s.io/yaml reads YAML 1.1 scalars
 * (`05432` is the octal 2842). The yaml package's 1.1 schema reads them so too, and shares no code with
 * the function's own reading (src/yaml/go-numbers.ts).
 */
export function loadAllAsKubectl(text: string): Item[] {
  return parseAllDocuments(text, { version: '1.1' })
    .map((d) => d.toJS() as unknown)
    .filter((d): d is Item => d !== null && typeof d === 'object');
}

/** The built function run on a ResourceList written as YAML text, as kpt passes it; its output read as kubectl reads it. */
export function renderText(text: string): Rendered {
  const r = spawnSync(process.execPath, [CLI], { input: text, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
  const out = r.stdout ? (loadAllAsKubectl(r.stdout)[0] as { items?: Item[]; results?: Rendered['results'] } | undefined) : undefined;
  return { status: r.status, items: out?.items ?? [], results: out?.results ?? [], stderr: r.stderr };
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
  const kpt = jsYaml.load(readFileSync(kptfile, 'utf8')) as {
    pipeline?: { mutators?: { configPath?: string; configMap?: Record<string, string> }[] };
  };
  const mutator = kpt.pipeline?.mutators?.[0];
  if (mutator?.configMap) return { items, functionConfig: configMapConfig(mutator.configMap) };
  if (mutator?.configPath) {
    const configFile = join(dir, mutator.configPath);
    const config = loadAll(configFile)[0];
    return {
      items: items.filter((i) => !(i.kind === config?.kind && (i.metadata as Item)?.name === (config?.metadata as Item)?.name)),
      ...(config ? { functionConfig: config } : {}),
    };
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
