/**
 * The proof of an edited block item (item-editor.ts): its text reads back as the planned value. The
 * entries shared by every pod (the helper container, several KB of scripts) are read once per run, not
 * once per pod: in the item they are replaced by a one-line stand-in before it is read.
 *
 * Why that proves the same thing: a shared entry's lines are a whole block sequence entry, its `-` at
 * column d and every other line deeper, and they read alone as a sequence of that one value. In the
 * item, the stand-in line `- "<stand-in>"` at column d read back as a node of its own, so there it
 * opened an entry of a block sequence at column d; the entry's lines, put back in its place, are then
 * read in that same state. They end where the next line, neither blank nor deeper than d, closes every
 * node of the entry, as it closed the stand-in's; a blank line there could belong to the entry's last
 * block scalar (`|+`), so a blank line or a deeper one keeps the entry in the text. Each stand-in carries
 * a nonce of this run, so no text of the input can hold one, and each must be read back as a node.
 */
import { randomUUID } from 'node:crypto';
import type { SharedEntry } from './block-text.js';
import { sameData } from './edit.js';
import { loadEdited, mayHoldAliases, type ReadLimits } from '../yaml/load.js';

const STAND_IN = `order-containers-read-once-${randomUUID()}`;

/** A shared entry's lines (by identity) as text, when they read alone as a sequence of its one value. */
const readAlone = new WeakMap<readonly string[], { readonly block: string } | 'unread'>();

/** Where `block` is a whole entry of `text` at `dashColumn`, ended as the file comment says; -1 if nowhere. */
function wholeEntryAt(text: string, block: string, dashColumn: number): number {
  for (let at = text.indexOf(block); at >= 0; at = text.indexOf(block, at + 1)) {
    if (at > 0 && text[at - 1] !== '\n') continue;
    const end = at + block.length;
    if (end === text.length) return at;
    if (text[end] !== '\n') continue;
    if (end + 1 === text.length) return at;
    let column = end + 1;
    while (text[column] === ' ') column++;
    const next = text[column];
    if (column - (end + 1) <= dashColumn && next !== '\t' && next !== '\r' && next !== '\n') return at;
  }
  return -1;
}

function readsAs(read: (text: string) => unknown, block: string, expected: unknown): boolean {
  try {
    const value = read(block);
    return Array.isArray(value) && value.length === 1 && sameData(value[0], expected);
  } catch {
    return false;
  }
}

/**
 * Whether the edited item `text` (the line editor's, from `source`) reads back as `expected`. `shared`:
 * the entries the editor wrote that every pod shares, which are read alone once.
 */
export function readsBackAs(
  text: string,
  source: string,
  expected: unknown,
  shared: readonly SharedEntry[],
  what: string,
  limits: ReadLimits,
  firstLine: number,
): boolean {
  const read = (t: string): unknown => loadEdited(t, source, what, limits, firstLine);
  let standing = text;
  const standIns = new Map<string, unknown>();
  // Both reads must be js-yaml's (loadEdited's choice for a source without aliases), and lines end in \n.
  if (!mayHoldAliases(source) && !text.includes('\r')) {
    shared.forEach((entry, i) => {
      let alone = readAlone.get(entry.lines);
      if (alone === undefined) {
        const block = entry.lines.join('\n');
        alone = readsAs(read, block, entry.value) ? { block } : 'unread';
        readAlone.set(entry.lines, alone);
      }
      if (alone === 'unread') return;
      const { block } = alone;
      const at = wholeEntryAt(standing, block, entry.dashColumn);
      if (at < 0) return;
      const name = `${STAND_IN}-${i}`;
      standing = `${standing.slice(0, at)}${' '.repeat(entry.dashColumn)}- ${JSON.stringify(name)}${standing.slice(at + block.length)}`;
      standIns.set(name, entry.value);
    });
  }
  const used = new Set<string>();
  return sameData(read(standing), expected, standIns, used) && used.size === standIns.size;
}
