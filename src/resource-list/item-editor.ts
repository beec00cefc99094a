/**
 * Every edit of an item, and its proof, in one place.
 *
 * A block item goes the fast way first. The line editor (BlockText) edits the item's text in place, and
 * the result is read back and compared with the planned value. When the line editor cannot make the
 * edit, or its text reads back differently, the yaml Document editor rewrites the item. Its text is
 * re-indented to the item's place and read back too. Then the item's `-` is put back. An item of a
 * list that only the full parser reads is edited inside that list's Document and compared the same
 * way. Nothing leaves here unless it reads back as planned: otherwise it is an EditError. So speed
 * never costs correctness, and that contract has one home (the reading back itself: read-back.ts).
 *
 * This lives in resource-list/, not src/yaml/: it works in items, spans and edits. Keeping it here
 * means src/yaml/ imports nothing from the rest of src/.
 */
import { BlockText, Unsupported, type SharedEntry } from './block-text.js';
import { applyToNode, editWithDocument } from './document-edit.js';
import { applyEditsToObject, cloneData, sameData, type Edit } from './edit.js';
import type { BlockResourceList, DocumentResourceList, PlainObject } from './read.js';
import { standaloneItemText } from './split.js';
import { readsBackAs } from './read-back.js';
import { loadDocuments } from '../yaml/load.js';
import { resolveMerges } from '../yaml/merge.js';

/** A planned edit that no editor could make so that the item reads back as planned: a bug, exit 2. */
class EditError extends Error {
  override readonly name = 'EditError';
}

function expectedValue(value: PlainObject, edits: readonly Edit[]): PlainObject {
  const expected = cloneData(value);
  applyEditsToObject(expected, edits);
  return expected;
}

/** Puts the item's `-` back where it was (or, after a full rewrite, on the first line with text). */
function restoreDash(edited: string, original: string, dashColumn: number): string {
  const firstOriginal = original.slice(0, original.indexOf('\n') + 1 || undefined).replace(/\n$/, '');
  // Mostly the first line is as it was: the dash goes back without splitting a long text into lines.
  const firstKept = edited.startsWith(firstOriginal) && (edited.length === firstOriginal.length || edited[firstOriginal.length] === '\n');
  if (firstKept && firstOriginal.length > dashColumn) return edited.slice(0, dashColumn) + '-' + edited.slice(dashColumn + 1);
  const lines = edited.split('\n');
  let at = lines[0] === firstOriginal ? 0 : lines.findIndex((l) => l.trim() !== '');
  if (at < 0) at = 0;
  const line = lines[at]!.padEnd(dashColumn + 1, ' ');
  lines[at] = line.slice(0, dashColumn) + '-' + line.slice(dashColumn + 1);
  return lines.join('\n');
}

/** The new text of a block item, edited from the value the caller already read. */
export function editBlockItem(list: BlockResourceList, index: number, value: PlainObject, edits: readonly Edit[]): string {
  const span = list.split.items[index]!;
  const what = `items[${index}]`;
  const standalone = standaloneItemText(list.text, span);
  const readsAs = (text: string, expected: unknown, shared: readonly SharedEntry[] = []): boolean => {
    try {
      return readsBackAs(text, standalone, expected, shared, what, list.limits, span.line + 1);
    } catch {
      return false;
    }
  };
  let edited: string | undefined;
  try {
    const candidate = BlockText.edit(standalone, value, edits, list.style);
    if (readsAs(candidate.text, candidate.value, candidate.shared)) edited = candidate.text;
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
  }
  if (edited === undefined) {
    const rewritten = editWithDocument(loadDocuments(standalone, what, list.limits, span.line + 1)[0]!, edits, list.style);
    const pad = ' '.repeat(span.dashColumn + 2);
    const candidate = rewritten
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => (l === '' ? l : pad + l))
      .join('\n');
    if (!readsAs(candidate, expectedValue(value, edits))) throw new EditError(`${what}: the edited item does not read back as planned`);
    const eol = standalone.includes('\r\n') ? '\r\n' : '\n';
    edited = candidate.replace(/\n/g, eol) + (/\r?\n$/.test(standalone) ? eol : '');
  }
  return restoreDash(edited, standalone, span.dashColumn);
}

/** Edits an item in place in the list's Document, which is printed whole when the list is written. */
export function editDocumentItem(list: DocumentResourceList, index: number, value: PlainObject, edits: readonly Edit[]): void {
  const node = list.itemNodes[index]!;
  for (const edit of edits) applyToNode(list.document, node, edit);
  // toJS with the Document resolves the item's aliases through the Document's anchors; toJSON would
  // leave each alias as its anchor's name, and an item that uses one could never read back.
  if (!sameData(resolveMerges(node.toJS(list.document, { maxAliasCount: list.limits.maxAliasCount })), expectedValue(value, edits))) {
    throw new EditError(`items[${index}]: the edited item does not read back as planned`);
  }
}
