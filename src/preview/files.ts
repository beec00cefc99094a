/**
 * What --diff compares: each file the input came from, before and after the function. A stream's files
 * are known (the arguments, or the one stream read); a ResourceList's items name theirs with kpt's path
 * and index annotations, and each file is put together from its items as kpt writes it back: the
 * documents in index order, joined by `---`, without kpt's own annotations.
 */
import type { ResourceList } from '../resource-list/read.js';
import { fileOf } from '../resource-list/results.js';
import { splitBlockResourceList, standaloneItemText } from '../resource-list/split.js';
import { replaceSpans, type Replacement } from '../resource-list/stream.js';
import { InputError } from '../yaml/load.js';
import type { FileChange } from './unified.js';

/** One file's place in a stream made of several: its text is `text.slice(start, start + length)`. */
export interface StreamFile {
  readonly path: string;
  readonly start: number;
  readonly length: number;
}

/** The files of a stream with the replacements that fall in each made, one change per file. */
export function streamFileChanges(text: string, files: readonly StreamFile[], replacements: readonly Replacement[]): FileChange[] {
  return files.map(({ path, start, length }) => {
    const end = start + length;
    const mine = replacements
      .filter((r) => r.start >= start && r.end <= end)
      .map((r) => ({ ...r, start: r.start - start, end: r.end - start }));
    const before = text.slice(start, end);
    return { path, before, after: replaceSpans(before, mine) };
  });
}

/**
 * The annotations kpt adds to each item and removes when it writes the files (kyaml's kioutil: the
 * `internal.config.kubernetes.io/` ones and the legacy `config.kubernetes.io/path` and `index`).
 */
const KPT_ANNOTATION = /^[ \t]+(?:internal\.config\.kubernetes\.io\/[\w.-]+|config\.kubernetes\.io\/(?:index|path))[ \t]*:/;
const ANNOTATIONS_KEY = /^([ \t]*)annotations[ \t]*:[ \t]*$/;

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** The document without kpt's annotations, and without an `annotations:` that held nothing else. */
function withoutKptAnnotations(document: string): string {
  const lines = document.split('\n');
  const kept = lines.map((line) => !KPT_ANNOTATION.test(line));
  lines.forEach((line, i) => {
    const key = ANNOTATIONS_KEY.exec(line);
    if (!key || kept[i + 1] !== false) return;
    let next = i + 1;
    while (next < lines.length && !kept[next]) next++;
    if (next === lines.length || indentOf(lines[next]!) <= key[1]!.length) kept[i] = false;
  });
  return lines.filter((_, i) => kept[i]).join('\n');
}

/** An item of a block list as the document it was: its `- ` and the columns before it taken off every line. */
function itemDocument(text: string, span: { start: number; end: number; dashColumn: number }): string {
  const indent = span.dashColumn + 2;
  const lines = standaloneItemText(text, span)
    .replace(/[\r\n \t]+$/, '')
    .split('\n')
    .map((line) => line.slice(Math.min(indent, indentOf(line))));
  return `${withoutKptAnnotations(lines.join('\n'))}\n`;
}

/**
 * The files of a block ResourceList before and after the function (`output`, the list it wrote), in the
 * order their first items come. Items that name no file are taken as one stream, named `unnamed`.
 */
export function listFileChanges(input: ResourceList, output: string, unnamed: string): FileChange[] {
  const after = splitBlockResourceList(output);
  if (input.form !== 'block' || !after || after.items.length !== input.items.length)
    throw new InputError(`${unnamed}: --diff reads a ResourceList in block YAML, as kpt writes one; this one is not`);
  const files = new Map<string, { index: number; before: string; after: string }[]>();
  input.items.forEach((item, k) => {
    const file = fileOf(item.read());
    const path = file?.path ?? unnamed;
    const documents = files.get(path) ?? [];
    documents.push({
      index: file?.index ?? documents.length,
      before: itemDocument(input.text, input.split.items[k]!),
      after: itemDocument(output, after.items[k]!),
    });
    files.set(path, documents);
  });
  return [...files].map(([path, documents]) => {
    const ordered = documents.sort((a, b) => a.index - b.index);
    return { path, before: ordered.map((d) => d.before).join('---\n'), after: ordered.map((d) => d.after).join('---\n') };
  });
}
