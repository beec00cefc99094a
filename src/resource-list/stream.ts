/**
 * A plain multi-document YAML stream (what `helm template`, `kubectl get -o yaml` and a folder of
 * manifests give) as the function's ResourceList, and back. Each document that holds a resource becomes
 * one item, its lines moved two columns right under `- `; on the way back the item's lines move left
 * again. So an untouched document comes out as the bytes that went in, and everything between documents
 * (markers, directives, comments, documents that hold no resource) is copied as it is.
 */
import { tooManyDocuments, type ReadLimits } from '../yaml/load.js';

/** One document's resource text: its lines from the first to the last that is not blank or a comment. */
export interface StreamDocument {
  readonly start: number;
  readonly end: number;
  /** The line it starts on, from 1, for messages. */
  readonly line: number;
}

/** A document marker (`---`, `...`), or a directive (`%YAML`), at column 0: YAML lets no content start so. */
const MARKER = /^(?:---|\.\.\.)(?:[ \t]|$)|^%/;
/** A line with nothing but a comment, or nothing at all. */
const EMPTY = /^[ \t]*(?:#.*)?$/;

interface Line {
  readonly start: number;
  /** Without its line break, `\r\n` or `\n`: a document's span never takes its last line's break. */
  readonly end: number;
  readonly text: string;
  /** From 1. */
  readonly number: number;
}

/**
 * The lines one by one: kept in an array, a stream of 21 million comment lines (63 MiB, within the size
 * limit) took 2.4 GB, where each line is needed only while it is looked at.
 */
function* linesOf(text: string): Generator<Line> {
  let start = 0;
  let number = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const next = nl === -1 ? text.length : nl;
    const end = next > start && text.charCodeAt(next - 1) === 13 ? next - 1 : next;
    yield { start, end, text: text.slice(start, end), number: ++number };
    start = next + 1;
  }
}

/**
 * The documents of a stream that have content, as spans of `text`. A marker line with content after it
 * (`--- {a: 1}`, `--- !tag`) is not split here: such a stream is returned as undefined, for the caller to refuse.
 */
export function streamDocuments(text: string, what: string, limits: ReadLimits): StreamDocument[] | undefined {
  const docs: StreamDocument[] = [];
  let first: Line | undefined;
  let last: Line | undefined;
  const close = (): void => {
    if (first && last) docs.push({ start: first.start, end: last.end, line: first.number });
    first = last = undefined;
  };
  // Counted before any is read, empty ones too, so that a stream of empty documents cannot run on. A
  // `---` starts a new document unless nothing but comments came before it.
  let documents = 1;
  let started = false;
  for (const line of linesOf(text)) {
    if (MARKER.test(line.text)) {
      if (/^---[ \t]+[^ \t#]/.test(line.text)) return undefined;
      if (line.text.startsWith('---')) {
        if (started && ++documents > limits.maxDocuments) throw tooManyDocuments(what, line.number, limits);
        started = true;
      }
      close();
      continue;
    }
    if (EMPTY.test(line.text)) continue;
    started = true;
    first ??= line;
    last = line;
  }
  close();
  return docs;
}

/** The document's lines as one item of a block sequence, indented two columns. */
function asItem(document: string): string {
  return document
    .split('\n')
    .map((line, i) => (i === 0 ? `- ${line}` : line === '' || line === '\r' ? line : `  ${line}`))
    .join('\n');
}

/** An item's text (as asItem wrote it, or as the function rewrote it) as a document again. */
export function fromItem(item: string): string {
  return item
    .split('\n')
    .map((line, i) => (i === 0 ? line.replace(/^- /, '') : line.startsWith('  ') ? line.slice(2) : line))
    .join('\n');
}

const HEADER = 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n';

/** The ResourceList of the documents chosen (`resources`: indices into `docs`). */
export function streamResourceList(text: string, docs: readonly StreamDocument[], resources: readonly number[]): string {
  if (resources.length === 0) return HEADER.replace('items:\n', 'items: []\n');
  return HEADER + resources.map((i) => `${asItem(text.slice(docs[i]!.start, docs[i]!.end))}\n`).join('');
}

/** A span of a text, and the text that takes its place. */
export interface Replacement {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The text with each span (in order, none overlapping) replaced, all else as it was. */
export function replaceSpans(text: string, replacements: readonly Replacement[]): string {
  let out = '';
  let cursor = 0;
  for (const r of replacements) {
    out += text.slice(cursor, r.start) + r.text;
    cursor = r.end;
  }
  return out + text.slice(cursor);
}
