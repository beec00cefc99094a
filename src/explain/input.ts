/**
 * What explain reads: a ResourceList, a multi-document YAML stream, or a folder of manifests (as kpt
 * lays a package out: *.yaml, *.yml and the Kptfile, hidden folders left out).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { decodeInput, isResourceListText, readResourceList, type PlainObject } from '../resource-list/read.js';
import { fileOf } from '../resource-list/results.js';
import { checkByteSize, DEFAULT_LIMITS, InputError, loadStream } from '../yaml/load.js';

export interface ManifestText {
  /** What messages call it: a file's path, or `stdin`. */
  readonly name: string;
  readonly text: string;
  /** The file, as explain names it: relative to the package folder it was found in, as kpt names it. */
  readonly path?: string;
}

/**
 * kpt hands the function a package as one ResourceList, so the package's files together have the
 * function's size limit; they are measured before any is read.
 */
export function manifestTexts(dir: string): ManifestText[] {
  const paths = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && (/\.ya?ml$/.test(e.name) || e.name === 'Kptfile'))
    .map((e) => join(e.parentPath, e.name))
    .filter(
      (path) =>
        !relative(dir, path)
          .split(sep)
          .some((part) => part.startsWith('.')),
    )
    .sort();
  checkByteSize(
    paths.reduce((total, path) => total + statSync(path).size, 0),
    `${dir} (its manifests together)`,
    DEFAULT_LIMITS,
  );
  return paths.map((path) => ({
    name: path,
    text: decodeInput(readFileSync(path), DEFAULT_LIMITS, path),
    path: relative(dir, path).split(sep).join('/'),
  }));
}

/**
 * A file's or stdin's bytes as text, within the size limit (a text too long for V8 would crash the
 * decoding), and valid UTF-8: the stream path writes the files back, where a replaced byte would be lost.
 */
export function manifestText(name: string, bytes: Buffer): ManifestText {
  checkByteSize(bytes.length, name, DEFAULT_LIMITS);
  return { name, text: decodeInput(bytes, DEFAULT_LIMITS, name), ...(name !== 'stdin' ? { path: name } : {}) };
}

/** A resource and the file it comes from, where one is known. */
export interface SourcedResource {
  readonly resource: PlainObject;
  readonly path?: string;
}

/**
 * A ResourceList's items, each with its file, and its functionConfig, read as the function reads them:
 * through its one parse entry, with the same limits, the depth counted the same way (from each item's
 * root for block items, from the list's root for JSON), at the same positions. Reading the list as a
 * stream first counted the depth from the list's root and refused items the function orders. Messages
 * are prefixed with the text's name.
 */
function listResources(name: string, text: string): { resources: SourcedResource[]; functionConfig: unknown } {
  try {
    const list = readResourceList(text);
    const resources = list.items.map((item): SourcedResource => {
      const value = item.read();
      const path = fileOf(value)?.path;
      return { resource: value, ...(path !== undefined ? { path } : {}) };
    });
    return { resources, functionConfig: list.functionConfig };
  } catch (e) {
    throw e instanceof InputError ? new InputError(`${name}: ${e.message}`) : e;
  }
}

/**
 * The resources in the texts, each with its file (a ResourceList's items with the file kpt's path
 * annotation names), and the functionConfig of a ResourceList among them.
 */
export function resourcesOf(texts: readonly ManifestText[]): { resources: SourcedResource[]; functionConfig: unknown } {
  const resources: SourcedResource[] = [];
  let functionConfig: unknown;
  const addList = (name: string, text: string): void => {
    const list = listResources(name, text);
    resources.push(...list.resources);
    functionConfig = list.functionConfig;
  };
  for (const { name, text, path: file } of texts) {
    if (isResourceListText(text)) {
      addList(name, text);
      continue;
    }
    for (const doc of loadStream(text, name, DEFAULT_LIMITS)) {
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) continue;
      const resource = doc as PlainObject;
      // A ResourceList in flow style, which has no `kind: ResourceList` line of its own.
      if (resource.kind === 'ResourceList') addList(name, text);
      else resources.push({ resource, ...(file !== undefined ? { path: file } : {}) });
    }
  }
  return { resources, functionConfig };
}
