/**
 * Bytes in, ResourceList out: block YAML split into item texts (the fast path), any other YAML as one
 * Document, or JSON. Every problem is an InputError with a one-line message.
 */
import {
  DEFAULT_LIMITS,
  documentData,
  exceedsByteLimit,
  InputError,
  loadDocuments,
  loadJson,
  loadOne,
  where,
  type ReadLimits,
} from '../yaml/load.js';
import { isMap, isSeq, type Document, type Node, type YAMLMap } from '../yaml/nodes.js';
import type { SequenceStyle } from '../yaml/render.js';
import { splitBlockResourceList, standaloneItemText, type BlockSplit } from './split.js';

const RESOURCE_LIST_API_VERSIONS = ['config.kubernetes.io/v1', 'config.kubernetes.io/v1beta1'] as const;

export type PlainObject = Record<string, unknown>;

/** A top-level `kind: ResourceList` line, or its JSON form: what kpt and kustomize send. Any other text is a stream. */
const RESOURCE_LIST_KIND = /^kind:[ \t]*(["']?)ResourceList\1[ \t]*(?:#.*)?\r?$/m;
const RESOURCE_LIST_KIND_JSON = /"kind"\s*:\s*"ResourceList"/;

export function isResourceListText(text: string): boolean {
  return text.trimStart().startsWith('{') ? RESOURCE_LIST_KIND_JSON.test(text) : RESOURCE_LIST_KIND.test(text);
}

export interface Item {
  /** Position in `items`, as read. */
  readonly index: number;
  /**
   * The item as plain data. For block input each call parses the item's text anew and nothing is
   * kept, so that a large list is never held in memory twice: read it once and pass the value on.
   */
  read(): PlainObject;
  /**
   * False only when no string in the item's value can be `word`, so that a search for one kind of
   * resource need not parse every item; true where the value is parsed already. Block text that holds
   * neither the word nor a backslash cannot make it: YAML folds a line break into a space, never into
   * nothing, and only a double-quoted escape (`\x61`, an escaped line break) spells text otherwise.
   */
  mayHold(word: string): boolean;
}

interface ResourceListBase {
  readonly apiVersion: string;
  readonly items: readonly Item[];
  readonly functionConfig: unknown;
  /** Results of functions that ran before this one; kept and extended. */
  readonly results: readonly unknown[];
  readonly style: SequenceStyle;
  readonly limits: ReadLimits;
}

/** Block YAML split into item texts: untouched items are written back as their original bytes. */
export interface BlockResourceList extends ResourceListBase {
  readonly form: 'block';
  readonly text: string;
  readonly split: BlockSplit;
}

/** Any other YAML: one yaml Document, written back through its own printer. */
export interface DocumentResourceList extends ResourceListBase {
  readonly form: 'document';
  readonly document: Document;
  readonly itemNodes: readonly YAMLMap[];
}

interface JsonResourceList extends ResourceListBase {
  readonly form: 'json';
  readonly root: PlainObject;
}

export type ResourceList = BlockResourceList | DocumentResourceList | JsonResourceList;

function isPlainObject(v: unknown): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkHeader(root: PlainObject, hasItems: boolean, itemsIsSeq: boolean): string {
  const { apiVersion, kind } = root;
  if (kind !== 'ResourceList') {
    throw new InputError(
      `input is not a ResourceList: kind is ${kind === undefined ? 'missing' : JSON.stringify(kind)}; \`kpt fn source DIR\` makes one of a directory of manifests`,
    );
  }
  if (typeof apiVersion !== 'string' || !(RESOURCE_LIST_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw new InputError(
      `ResourceList apiVersion ${apiVersion === undefined ? 'is missing' : JSON.stringify(apiVersion) + ' is not supported'}; expected ${RESOURCE_LIST_API_VERSIONS.join(' or ')}`,
    );
  }
  if (!hasItems) throw new InputError('ResourceList has no items field');
  if (!itemsIsSeq) throw new InputError('ResourceList items must be a sequence');
  return apiVersion;
}

function resultsOf(root: PlainObject): unknown[] {
  const { results } = root;
  if (results === undefined || results === null) return [];
  if (!Array.isArray(results)) throw new InputError('ResourceList results must be a sequence');
  return results;
}

function itemValue(value: unknown, index: number, line?: number): PlainObject {
  if (!isPlainObject(value)) {
    const at = line === undefined ? '' : ` (${where(line)})`;
    throw new InputError(
      `items[${index}]${at} is not a mapping (found ${value === null ? 'null' : Array.isArray(value) ? 'a sequence' : typeof value})`,
    );
  }
  return value;
}

/** kpt writes `items:\n- a`; other tools indent. New sequences follow the input. */
function styleOf(text: string, split?: BlockSplit): SequenceStyle {
  const first = split?.items[0];
  if (first) return { compact: first.dashColumn === 0 };
  return { compact: !/:\r?\n {2,}- /.test(text) };
}

function listBase(
  apiVersion: string,
  root: PlainObject,
  items: readonly Item[],
  style: SequenceStyle,
  limits: ReadLimits,
): ResourceListBase {
  return { apiVersion, items, functionConfig: root.functionConfig ?? undefined, results: resultsOf(root), style, limits };
}

function readBlock(text: string, split: BlockSplit, limits: ReadLimits): BlockResourceList {
  const root: PlainObject = {};
  for (const entry of split.entries) {
    if (entry.key === 'items') continue;
    const value = loadOne(text.slice(entry.start, entry.end), `ResourceList ${entry.key}`, limits, entry.line + 1);
    if (isPlainObject(value)) Object.assign(root, value);
  }
  const apiVersion = checkHeader(root, true, true);
  const items = split.items.map((span, index): Item => ({
    index,
    read() {
      return itemValue(loadOne(standaloneItemText(text, span), `items[${index}]`, limits, span.line + 1), index, span.line + 1);
    },
    mayHold(word) {
      const own = text.slice(span.start, span.end);
      return own.includes(word) || own.includes('\\');
    },
  }));
  return { form: 'block', ...listBase(apiVersion, root, items, styleOf(text, split), limits), text, split };
}

function readDocument(text: string, limits: ReadLimits): DocumentResourceList {
  const list = loadDocuments(text, 'input', limits);
  if (list.length === 0) throw new InputError('input is empty; expected a ResourceList');
  const document = list[0]!;
  if (list.length > 1) {
    throw new InputError(
      `input has ${list.length} YAML documents; expected one ResourceList (a stream of resources is not a ResourceList)`,
    );
  }
  const contents = document.contents;
  if (!isMap(contents)) throw new InputError('input is not a ResourceList: the document is not a mapping');
  const root = documentData(document, 'input', limits, text) as PlainObject;
  const itemsNode = contents.get('items', true) as Node | undefined;
  const apiVersion = checkHeader(root, itemsNode !== undefined, isSeq(itemsNode));
  const seq = itemsNode as unknown as { items: unknown[] };
  const lineOf = (node: unknown): number | undefined => {
    const range = (node as { range?: [number] }).range;
    return range ? text.slice(0, range[0]).split('\n').length : undefined;
  };
  const items = (root.items as unknown[]).map((value, index): Item => {
    const plain = itemValue(value, index, lineOf(seq.items[index]));
    return { index, read: () => plain, mayHold: () => true };
  });
  // Every item is a mapping now (itemValue checked), so every node is a YAMLMap.
  return { form: 'document', ...listBase(apiVersion, root, items, styleOf(text), limits), document, itemNodes: seq.items as YAMLMap[] };
}

function readJson(root: unknown, limits: ReadLimits): JsonResourceList {
  if (!isPlainObject(root)) throw new InputError('input is not a ResourceList: JSON value is not an object');
  const apiVersion = checkHeader(root, 'items' in root, Array.isArray(root.items));
  const items = (root.items as unknown[]).map((value, index): Item => {
    const plain = itemValue(value, index);
    return { index, read: () => plain, mayHold: () => true };
  });
  return { form: 'json', ...listBase(apiVersion, root, items, { compact: true }, limits), root };
}

export interface ReadOptions {
  /** The input must be JSON (kpt-functions' --json). */
  readonly json?: boolean;
  readonly limits?: ReadLimits;
}

function tooLarge(limits: ReadLimits): InputError {
  return new InputError(
    `input is larger than the limit of ${limits.maxInputBytes} bytes (${limits.maxInputBytes / 1024 / 1024} MiB); split it, or order fewer resources per run`,
  );
}

/**
 * The input's bytes as text, decoded once for every reader of it: within the size limit, and valid
 * UTF-8 (a byte that is not would be replaced, and the output would differ from the input where nothing
 * was edited). The bytes can be let go as soon as this returns: a list is then held once, as text.
 * `what` names the input in the message: a file's path, or `input`.
 */
export function decodeInput(bytes: Uint8Array, limits: ReadLimits = DEFAULT_LIMITS, what = 'input'): string {
  // stdin is read only up to just past the limit, so the size seen is not the input's size.
  if (bytes.length > limits.maxInputBytes) throw tooLarge(limits);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    throw new InputError(`${what} is not valid UTF-8 (${where(bad.line, bad.column)})`);
  }
}

/** Text in (decodeInput's), ResourceList out; every problem is an InputError with a one-line message. */
export function readResourceList(text: string, options: ReadOptions = {}): ResourceList {
  const limits = options.limits ?? DEFAULT_LIMITS;
  if (exceedsByteLimit(text, limits)) throw tooLarge(limits);
  if (text.trim() === '') throw new InputError('input is empty; expected a ResourceList');
  const trimmed = text.trimStart().replace(/^\ufeff/, '');
  if (options.json || trimmed.startsWith('{')) {
    const json = loadJson(text.replace(/^\ufeff/, ''), 'input', limits);
    if ('value' in json) return readJson(json.value, limits);
    if (options.json) throw new InputError(`input is not valid JSON: ${json.invalid}`);
  }
  const split = splitBlockResourceList(text);
  return split ? readBlock(text, split, limits) : readDocument(text, limits);
}

function firstInvalidUtf8(bytes: Uint8Array): { line: number; column: number } {
  const lossy = new TextDecoder('utf-8').decode(bytes);
  // Every character before the first bad byte decodes as itself, so byte offsets line up until then;
  // a U+FFFD that is really in the input is the three bytes EF BF BD.
  for (let at = lossy.indexOf('\ufffd'); at >= 0; at = lossy.indexOf('\ufffd', at + 1)) {
    const offset = Buffer.byteLength(lossy.slice(0, at));
    if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) {
      const lines = lossy.slice(0, at).split('\n');
      return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
    }
  }
  return { line: 1, column: 1 };
}
