/**
 * The ResourceList back out: untouched items as their original bytes, edited items re-rendered.
 */
import { applyEditsToObject, cloneData, type Edit } from './edit.js';
import { editBlockItem, editDocumentItem } from './item-editor.js';
import type { BlockResourceList, PlainObject, ResourceList } from './read.js';
import type { Result } from './results.js';
import { printDocument, renderLines } from '../yaml/render.js';

/**
 * Collects the edits of a run and writes the list. Each item is edited as soon as its edits are known,
 * from the value the caller already read, so nothing is parsed twice and no item is kept in memory
 * longer than it takes to edit it; for block input only the new text of changed items is kept.
 */
export class ResourceListWriter {
  private readonly replaced = new Map<number, string>();
  private readonly jsonRoot: PlainObject | undefined;

  constructor(private readonly list: ResourceList) {
    this.jsonRoot = list.form === 'json' ? cloneData(list.root) : undefined;
  }

  edit(index: number, value: PlainObject, edits: readonly Edit[]): void {
    if (edits.length === 0) return;
    const { list } = this;
    switch (list.form) {
      case 'block':
        this.replaced.set(index, editBlockItem(list, index, value, edits));
        return;
      case 'document':
        editDocumentItem(list, index, value, edits);
        return;
      case 'json':
        applyEditsToObject((this.jsonRoot!.items as PlainObject[])[index], edits);
        return;
    }
  }

  /** The output as pieces to write in order: untouched text is passed on as slices of the input. */
  chunks(newResults: readonly Result[]): string[] {
    const { list } = this;
    const results = [...list.results, ...newResults];
    const grew = newResults.length > 0;
    switch (list.form) {
      case 'block':
        return blockChunks(list, this.replaced, grew ? results : undefined);
      case 'document':
        if (grew) list.document.set('results', list.document.createNode(results));
        return [printDocument(list.document, list.style)];
      case 'json': {
        const root = this.jsonRoot!;
        if (grew) root.results = results;
        return [JSON.stringify(root, null, 2) + '\n'];
      }
    }
  }
}

function blockChunks(list: BlockResourceList, replaced: ReadonlyMap<number, string>, results: readonly unknown[] | undefined): string[] {
  const { text, split } = list;
  const replacements: { start: number; end: number; text: string }[] = [];
  for (const [index, newText] of replaced) {
    const span = split.items[index]!;
    replacements.push({ start: span.start, end: span.end, text: newText });
  }
  const previous = split.entries.find((e) => e.key === 'results');
  if (results && previous) replacements.push({ start: previous.start, end: previous.end, text: '' });
  replacements.sort((a, b) => a.start - b.start);

  const out: string[] = [];
  let cursor = 0;
  for (const r of replacements) {
    out.push(text.slice(cursor, r.start), r.text);
    cursor = r.end;
  }
  out.push(text.slice(cursor));
  if (results) {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const last = out.findLast((c) => c !== '') ?? '';
    if (last !== '' && !last.endsWith('\n')) out.push(eol);
    out.push(renderLines({ results }, 0, list.style).join(eol) + eol);
  }
  return out;
}
