/**
 * The function on a plain stream of manifests, as a Helm post-renderer or `order-containers FILE...` runs
 * it: the stream's resources become one ResourceList (resource-list/stream.ts), the function runs on it
 * as kpt would run it, and each edited document is put back where it was; nothing else in the stream
 * changes.
 */
import { isDeepStrictEqual } from 'node:util';
import { runFunction, type ExitCode } from './function.js';
import { readResourceList, type PlainObject } from './resource-list/read.js';
import type { Result } from './resource-list/results.js';
import { splitBlockResourceList } from './resource-list/split.js';
import { fromItem, replaceSpans, streamDocuments, streamResourceList, type Replacement } from './resource-list/stream.js';
import { checkSize, DEFAULT_LIMITS, InputError, loadOne } from './yaml/load.js';

export interface StreamRun {
  readonly text: string;
  /** The documents the function changed, as spans of the input and their new text: what --diff shows. */
  readonly replacements: readonly Replacement[];
  readonly exitCode: ExitCode;
  readonly results: readonly Result[];
}

function isResource(value: unknown): value is PlainObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { apiVersion, kind } = value as PlainObject;
  return typeof apiVersion === 'string' && typeof kind === 'string';
}

/** Runs the function on the resources of `text`, a multi-document YAML stream. */
export function runOnStream(text: string, functionConfig: unknown, name: string): StreamRun {
  checkSize(text, name, DEFAULT_LIMITS);
  const docs = streamDocuments(text, name, DEFAULT_LIMITS);
  if (docs === undefined)
    throw new InputError(`${name}: a document marker (---) with content after it on the same line; start the content on the next line`);
  const values = docs.map((d, i) => loadOne(text.slice(d.start, d.end), `${name} document ${i + 1}`, DEFAULT_LIMITS, d.line));
  const resources = values.flatMap((v, i) => (isResource(v) ? [i] : []));
  const listText = streamResourceList(text, docs, resources);
  const list = readResourceList(listText);
  // Moved two columns right, a document must read as it did: where it would not, it is not edited in place.
  list.items.forEach((item, k) => {
    if (list.form !== 'block' || !isDeepStrictEqual(item.read(), values[resources[k]!]))
      throw new InputError(
        `${name} document ${resources[k]! + 1} (line ${docs[resources[k]!]!.line}) does not read the same as an item of a list, so it cannot be edited in place; pass it through kpt fn source instead`,
      );
  });
  const run = runFunction(list, functionConfig);
  const out = run.chunks.join('');
  const split = splitBlockResourceList(out);
  if (!split || split.items.length !== resources.length) throw new Error('the function wrote a list whose items cannot be told apart');
  const replacements: Replacement[] = [];
  split.items.forEach((span, k) => {
    const { start, end } = docs[resources[k]!]!;
    const after = fromItem(out.slice(span.start, span.end)).replace(/[\r\n \t]+$/, '');
    if (after !== text.slice(start, end).replace(/[ \t]+$/, '')) replacements.push({ start, end, text: after });
  });
  return { text: replaceSpans(text, replacements), replacements, exitCode: run.exitCode, results: run.results };
}
