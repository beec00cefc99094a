/**
 * Finds the top-level keys of a block-style ResourceList and the text of each `items` entry with one pass
 * over the lines, without parsing the items. This is what makes untouched items cheap: they are copied
 * out as the bytes that came in. Anything outside the plain block style that kpt and kustomize write
 * (flow style, document markers, directives, tabs, quoted top-level keys) returns undefined, and the caller
 * uses the full parser instead.
 */
interface TopLevelEntry {
  readonly key: string;
  /** Byte offsets (UTF-16 indices) of the key line's start and of the entry's end. */
  readonly start: number;
  readonly end: number;
  /** Zero-based line of the key. */
  readonly line: number;
}

interface ItemSpan {
  readonly start: number;
  readonly end: number;
  /** Zero-based line of the item's `-`. */
  readonly line: number;
  /** Column of the item's `-`. */
  readonly dashColumn: number;
}

export interface BlockSplit {
  readonly entries: readonly TopLevelEntry[];
  readonly items: readonly ItemSpan[];
  /** Where the items' text ends: new items or results are never written inside it. */
  readonly itemsEnd: number;
}

const TOP_KEY = /^([A-Za-z_][A-Za-z0-9_.-]*) *:(?: +(.*))?$/;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const CR = 13;

/** True when the line from `from` to `to` (its end, without the newline) holds nothing but a comment. */
function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== CR) return c === HASH;
  }
  return true;
}

function isEntryDash(text: string, at: number, lineEnd: number): boolean {
  if (text.charCodeAt(at) !== DASH) return false;
  const after = text.charCodeAt(at + 1);
  return at + 1 >= lineEnd || after === SPACE || after === CR;
}

export function splitBlockResourceList(text: string): BlockSplit | undefined {
  const entries: { key: string; start: number; end: number; line: number }[] = [];
  const items: { start: number; end: number; line: number; dashColumn: number }[] = [];
  /** Between `items:` and the next top-level key, when items is a block sequence. */
  let inItems = false;
  let itemsEnd = -1;
  let dashColumn = -1;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 0;

  const startItem = (at: number, column: number): void => {
    const last = items[items.length - 1];
    if (last) last.end = at;
    items.push({ start: at, end: -1, line, dashColumn: column });
  };

  for (; pos < text.length; line++) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 ? text.length : nl;
    const lineStart = pos;
    pos = nl < 0 ? text.length : nl + 1;
    const c = text.charCodeAt(lineStart);
    if (isBlank(text, lineStart, lineEnd)) continue;
    const current = entries[entries.length - 1];
    if (c === SPACE || c === DASH) {
      if (!current) {
        // `---` may open the document once, before anything else; an indented root needs the parser.
        if (c === DASH && /^--- *\r?$/.test(text.slice(lineStart, lineEnd)) && line === 0) continue;
        return undefined;
      }
      let col = 0;
      while (text.charCodeAt(lineStart + col) === SPACE) col++;
      if (text.charCodeAt(lineStart + col) === 9) return undefined;
      if (c === DASH && !isEntryDash(text, lineStart, lineEnd)) return undefined;
      if (current.key !== 'items') continue;
      if (!inItems) return undefined;
      if (dashColumn < 0) {
        if (!isEntryDash(text, lineStart + col, lineEnd)) return undefined;
        dashColumn = col;
      }
      if (col === dashColumn) {
        if (!isEntryDash(text, lineStart + col, lineEnd)) return undefined;
        startItem(lineStart, col);
      } else if (col < dashColumn) {
        return undefined;
      }
      continue;
    }
    const m = TOP_KEY.exec(text.slice(lineStart, lineEnd).replace(/\r$/, ''));
    if (!m) return undefined;
    const key = m[1]!;
    if (entries.some((e) => e.key === key)) return undefined;
    if (current) current.end = lineStart;
    if (inItems) {
      const last = items[items.length - 1];
      if (last) last.end = lineStart;
      itemsEnd = lineStart;
      inItems = false;
    }
    entries.push({ key, start: lineStart, end: -1, line });
    if (key === 'items') {
      const inline = (m[2] ?? '').trim();
      if (inline === '' || inline.startsWith('#')) inItems = true;
      else if (!/^\[\] *(#.*)?$/.test(inline)) return undefined;
    }
  }
  const last = entries[entries.length - 1];
  if (!last) return undefined;
  last.end = text.length;
  if (inItems) {
    const lastItem = items[items.length - 1];
    if (lastItem) lastItem.end = text.length;
    itemsEnd = text.length;
  }
  const itemsEntry = entries.find((e) => e.key === 'items');
  if (!itemsEntry) return undefined;
  if (itemsEnd < 0) itemsEnd = itemsEntry.end;
  // `items:` with no entry is null, not a sequence: the parser reports it.
  if (items.length === 0 && !/^items *: *\[\]/.test(text.slice(itemsEntry.start, itemsEntry.end))) return undefined;
  return { entries, items, itemsEnd };
}

/** Replaces an item's `-` by a space: the item's text alone is then a YAML mapping. */
export function standaloneItemText(text: string, span: { start: number; end: number; dashColumn: number }): string {
  const col = span.start + span.dashColumn;
  return text.slice(span.start, col) + ' ' + text.slice(col + 1, span.end);
}
