/**
 * The fast editor of block-style YAML items: text edited in place, line by line.
 */
import { applyEditsToObject, cloneData, placementOf, sameData, valueAt, type Edit, type Path } from './edit.js';
import { renderEntryLines, renderKeyLine, renderLines, type SequenceStyle } from '../yaml/render.js';
import { GapList } from './gap-list.js';
import { SeqOutline, type SeqEntry } from './seq-outline.js';

/**
 * Edits the text of one block-style YAML item in place, line by line, so that everything the edit does not
 * touch (comments, key order, quoting, block scalars, blank lines) stays as the user wrote it. It
 * understands only the plain block style Kubernetes manifests use; anything else throws `Unsupported`
 * and the caller falls back to the yaml Document editor.
 */
export class Unsupported extends Error {}

interface MapBlock {
  readonly kind: 'map';
  readonly start: number;
  readonly end: number;
  readonly indent: number;
  /** A sequence entry's first line: its `-` at `dashCol` is read as a space. */
  readonly dashLine?: number;
  readonly dashCol?: number;
}

/** A mapping's key as read; its lines are kept up to date in place while the editor splices lines (carryKeys). */
interface KeyEntry {
  readonly key: string;
  line: number;
  /** One past the value's last content line. */
  end: number;
  /** Text after the colon, comment removed; empty for block values. */
  readonly inline: string;
}

/** A sequence's lines and entries as read, kept up to date while the editor splices lines inside them. */
interface SeqLines {
  from: number;
  end: number;
  readonly dashCol: number;
  readonly entries: SeqOutline;
}

/** One splice of lines: `remove` lines at `at` replaced by `lines`, whose indents are `added`. */
interface LineChange {
  readonly at: number;
  readonly remove: number;
  readonly lines: readonly string[];
  readonly added: readonly number[];
  readonly delta: number;
}

/**
 * Outlines that do not contain a splice are carried over it only when they span at least this many lines:
 * re-reading a smaller one costs less than checking it on every later splice.
 */
const CARRY_SPAN = 64;

function sameMap(a: MapBlock, b: MapBlock): boolean {
  return a.start === b.start && a.end === b.end && a.indent === b.indent && a.dashLine === b.dashLine;
}

/** The keys from `from` on moved by `delta` lines, in place: a splice before them moved their lines. */
function shiftKeys(keys: KeyEntry[], from: number, delta: number): void {
  for (let k = from; k < keys.length; k++) {
    keys[k]!.line += delta;
    keys[k]!.end += delta;
  }
}

/**
 * None of the added lines starts a key of a mapping at `indent`, as readKeys reads it: each one is
 * deeper, or the dash of a sequence written compact (`containers:` then `- name: a` under it).
 */
function addsNoKey(change: LineChange, indent: number): boolean {
  return change.added.every((ind, k) => ind < 0 || ind > indent || (ind === indent && isDashAt(change.lines[k]!, ind)));
}

interface SeqBlock {
  readonly kind: 'seq';
  readonly dashCol: number;
  readonly entries: SeqOutline;
}

type Resolved =
  | { readonly found: 'map'; readonly block: MapBlock }
  | { readonly found: 'seq'; readonly block: SeqBlock; readonly owner: MapBlock; readonly entry: KeyEntry }
  /** The key exists with a flow, scalar or empty value. */
  | { readonly found: 'inline'; readonly owner: MapBlock; readonly entry: KeyEntry }
  /** `depth` segments of the path exist; `owner` is the mapping that lacks path[depth]. */
  | { readonly found: 'missing'; readonly owner: MapBlock; readonly depth: number };

function isContent(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return c !== 35;
  }
  return false;
}

function leadingSpaces(line: string): number {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 32) i++;
  if (line.charCodeAt(i) === 9) throw new Unsupported('tab in indentation');
  return i;
}

function isDashAt(line: string, col: number): boolean {
  return line[col] === '-' && (col + 1 === line.length || line[col + 1] === ' ');
}

function stripComment(rest: string): string {
  const t = rest.trim();
  if (t.startsWith('#')) return '';
  return t;
}

/**
 * Reads `key: rest` at column `at`: a plain key (up to the first `: ` or final `:`) or a quoted one.
 * Returns undefined for anything else (complex keys, flow collections, a bare scalar).
 */
function keyAt(line: string, at: number): { key: string; rest: string } | undefined {
  const first = line[at];
  if (first === undefined || '#[]{},&*!|>%@`?'.includes(first)) return undefined;
  let keyEnd: number;
  let key: string;
  if (first === '"' || first === "'") {
    let i = at + 1;
    for (; i < line.length; i++) {
      if (first === '"' && line[i] === '\\') i++;
      else if (line[i] === first) {
        if (first === "'" && line[i + 1] === "'") i++;
        else break;
      }
    }
    if (i >= line.length) return undefined;
    const raw = line.slice(at, i + 1);
    key = first === '"' ? (JSON.parse(raw) as string) : raw.slice(1, -1).replace(/''/g, "'");
    keyEnd = i + 1;
    while (line.charCodeAt(keyEnd) === 32) keyEnd++;
    if (line[keyEnd] !== ':') return undefined;
  } else {
    if (first === '-' && (line[at + 1] === ' ' || at + 1 === line.length)) return undefined;
    keyEnd = -1;
    for (let i = at; i < line.length; i++) {
      const c = line[i];
      if (c === ':' && (i + 1 === line.length || line[i + 1] === ' ')) {
        keyEnd = i;
        break;
      }
      if (c === '#' && line[i - 1] === ' ') return undefined;
    }
    if (keyEnd < 0) return undefined;
    key = line.slice(at, keyEnd).trimEnd();
  }
  return { key, rest: line.slice(keyEnd + 1) };
}

/** A line whose value is a block scalar header: `key: |`, `- >-`, `- key: |2`. */
const BLOCK_SCALAR_HEADER = /^( *)(- +)?(?:([^#]*?): +)?[|>][1-9+-]{0,2} *(?:#.*)?$/;

/**
 * Per line: its indent when it holds content, -1 when it is blank or a comment. Lines inside a block
 * scalar are content even when they start with `#`.
 */
function indentsOf(lines: readonly string[]): number[] {
  const indents = new Array<number>(lines.length);
  for (let j = 0; j < lines.length; j++) {
    const line = lines[j]!;
    if (!isContent(line)) {
      indents[j] = -1;
      continue;
    }
    indents[j] = leadingSpaces(line);
    // Most lines hold neither | nor >; testing for them first keeps this pass cheap.
    const m = line.includes('|') || line.includes('>') ? BLOCK_SCALAR_HEADER.exec(line) : null;
    if (!m) continue;
    // The scalar's parent is the key (or the dash) that starts the header; its text is deeper.
    const parent = m[1]!.length + (m[2] !== undefined && m[3] !== undefined ? m[2].length : 0);
    let k = j + 1;
    for (; k < lines.length; k++) {
      const text = lines[k]!;
      if (text.trim() === '') {
        indents[k] = -1;
        continue;
      }
      const ind = leadingSpaces(text);
      if (ind <= parent) break;
      indents[k] = ind;
    }
    j = k - 1;
  }
  return indents;
}

/** The indents of lines shared by every pod (renderEntryLines' frozen renderings), read once. */
const sharedIndents = new WeakMap<readonly string[], readonly number[]>();

function indentsOfAdded(lines: readonly string[]): readonly number[] {
  if (!Object.isFrozen(lines)) return indentsOf(lines);
  let indents = sharedIndents.get(lines);
  if (indents === undefined) sharedIndents.set(lines, (indents = indentsOf(lines)));
  return indents;
}

/**
 * A sequence entry the editor wrote as the shared rendering of a frozen value (renderEntryLines): the
 * same lines in every pod, which the writer can read back once for all of them (read-back.ts).
 */
export interface SharedEntry {
  readonly lines: readonly string[];
  readonly value: unknown;
  readonly dashColumn: number;
}

export class BlockText {
  private readonly lines: GapList<string>;
  private readonly eol: string;
  private readonly current: unknown;
  private indentCache: GapList<number> | undefined;
  /**
   * The keys of each mapping and the entries of each sequence read so far, carried across splices
   * (splice): every edit resolves a path from the root, and re-reading the pod's outline on each of them
   * made editing a pod of n containers take n × the pod's lines (issue 17). Each is found by its first
   * line, and is the one asked for only if it matches the rest too: a text key of all four numbers, made
   * on every lookup and every splice, cost more than reading small mappings again.
   */
  private keyCache = new Map<number, { readonly map: MapBlock; readonly keys: KeyEntry[] }>();
  private seqCache = new Map<number, SeqLines>();
  private readonly shared: SharedEntry[] = [];

  constructor(
    text: string,
    original: unknown,
    private readonly style: SequenceStyle,
  ) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
    this.lines = new GapList(text.split(/\r?\n/));
    this.current = cloneData(original);
  }

  /** The edited text; throws Unsupported when an edit cannot be made faithfully in place. */
  static edit(
    text: string,
    original: unknown,
    edits: readonly Edit[],
    style: SequenceStyle,
  ): { text: string; value: unknown; shared: readonly SharedEntry[] } {
    const doc = new BlockText(text, original, style);
    for (const edit of edits) doc.apply(edit);
    return { text: doc.lines.toArray().join(doc.eol), value: doc.current, shared: doc.shared };
  }

  private apply(edit: Edit): void {
    // `current` is this editor's own copy: the edit is applied to it in place.
    const after = this.current;
    applyEditsToObject(after, [edit]);
    switch (edit.op) {
      case 'set':
        this.set(edit.path, after, edit.before);
        break;
      case 'insert':
        this.insert(edit.path, edit.index, edit.value, after, edit.before);
        break;
      case 'move':
        this.move(edit, after);
        break;
      case 'remove':
        this.remove(edit.path);
        break;
    }
  }

  // ---- reading the outline -------------------------------------------------------------------------

  private indents(): GapList<number> {
    this.indentCache ??= new GapList(indentsOf(this.lines.toArray()));
    return this.indentCache;
  }

  private isContentLine(j: number): boolean {
    return this.indents().get(j)! >= 0;
  }

  private text(j: number, block: MapBlock): string {
    const line = this.lines.get(j)!;
    if (block.dashLine === j && block.dashCol !== undefined) {
      return line.slice(0, block.dashCol) + ' ' + line.slice(block.dashCol + 1);
    }
    return line;
  }

  private root(): MapBlock {
    let first = 0;
    while (first < this.lines.length && !isContent(this.lines.get(first)!)) first++;
    if (first === this.lines.length) throw new Unsupported('empty item');
    return { kind: 'map', start: first, end: this.lines.length, indent: leadingSpaces(this.lines.get(first)!) };
  }

  /** Last content line before `end`, plus one; block scalars keep their `#` lines. */
  private contentEnd(from: number, end: number): number {
    for (let j = end - 1; j >= from; j--) if (this.isContentLine(j)) return j + 1;
    return from;
  }

  private keys(map: MapBlock): KeyEntry[] {
    const cached = this.keyCache.get(map.start);
    if (cached && sameMap(cached.map, map)) return cached.keys;
    const keys = this.readKeys(map);
    this.keyCache.set(map.start, { map, keys });
    return keys;
  }

  private readKeys(map: MapBlock): KeyEntry[] {
    const found: { key: string; line: number; inline: string }[] = [];
    const indents = this.indents();
    for (let j = map.start; j < map.end; j++) {
      const indent = indents.get(j)!;
      if (indent < 0) continue;
      const virtual = j === map.dashLine;
      const ind = virtual ? map.indent : indent;
      if (ind < map.indent) throw new Unsupported(`line ${j + 1} is outside its mapping`);
      if (ind > map.indent) {
        if (found.length === 0) throw new Unsupported(`line ${j + 1} has no key`);
        continue;
      }
      const line = virtual ? this.text(j, map) : this.lines.get(j)!;
      if (isDashAt(line, ind)) {
        if (found.length === 0) throw new Unsupported(`line ${j + 1}: sequence without key`);
        continue;
      }
      const parsed = keyAt(line, ind);
      if (!parsed) throw new Unsupported(`line ${j + 1} is not a simple key`);
      const inline = stripComment(parsed.rest);
      if (/^[&!*]/.test(inline)) throw new Unsupported(`line ${j + 1}: anchor, alias or tag`);
      found.push({ key: parsed.key, line: j, inline });
    }
    const entries: KeyEntry[] = [];
    for (let i = 0; i < found.length; i++) {
      const k = found[i]!;
      const next = i + 1 < found.length ? found[i + 1]!.line : map.end;
      entries.push({ key: k.key, line: k.line, inline: k.inline, end: this.contentEnd(k.line + 1, next) });
    }
    return entries;
  }

  private child(owner: MapBlock, entry: KeyEntry): Resolved {
    if (entry.inline !== '') return { found: 'inline', owner, entry };
    let j = entry.line + 1;
    while (j < entry.end && !this.isContentLine(j)) j++;
    if (j >= entry.end) return { found: 'inline', owner, entry };
    const line = this.lines.get(j)!;
    const ind = leadingSpaces(line);
    if (isDashAt(line, ind)) {
      if (ind < owner.indent) throw new Unsupported(`line ${j + 1}: sequence left of its key`);
      return { found: 'seq', block: this.seq(j, entry.end, ind), owner, entry };
    }
    if (ind <= owner.indent) throw new Unsupported(`line ${j + 1}: value not indented`);
    return { found: 'map', block: { kind: 'map', start: j, end: entry.end, indent: ind } };
  }

  private seq(from: number, end: number, dashCol: number): SeqBlock {
    let outline = this.seqCache.get(from);
    if (!outline || outline.end !== end || outline.dashCol !== dashCol) {
      outline = { from, end, dashCol, entries: new SeqOutline(this.readEntries(from, end, dashCol)) };
      this.seqCache.set(from, outline);
    }
    return { kind: 'seq', dashCol, entries: outline.entries };
  }

  private readEntries(from: number, end: number, dashCol: number): SeqEntry[] {
    const read = this.scanEntries(from, end, dashCol);
    if (typeof read === 'number') throw new Unsupported(`line ${read + 1} breaks the sequence`);
    return read;
  }

  /**
   * The entries of the sequence whose dashes are at `dashCol` in lines [from, end), or the first line
   * that is no part of it. Not thrown: a splice right after a sequence reads on into the next key on
   * every such edit (carryEntries), and an Unsupported each time, with its stack, was a tenth of an
   * edit-all run.
   */
  private scanEntries(from: number, end: number, dashCol: number): SeqEntry[] | number {
    const starts: number[] = [];
    const indents = this.indents();
    for (let j = from; j < end; j++) {
      const ind = indents.get(j)!;
      if (ind < 0 || ind > dashCol) continue;
      if (ind < dashCol || !isDashAt(this.lines.get(j)!, ind)) return j;
      starts.push(j);
    }
    return starts.map((s, i) => ({ start: s, end: Math.max(this.contentEnd(s + 1, i + 1 < starts.length ? starts[i + 1]! : end), s + 1) }));
  }

  private entryMap(seq: SeqBlock, index: number): MapBlock {
    const entry = seq.entries.entry(index);
    if (!entry) throw new Unsupported(`no entry ${index}`);
    const line = this.lines.get(entry.start)!;
    const after = line.slice(seq.dashCol + 1);
    if (stripComment(after) === '') {
      let j = entry.start + 1;
      while (j < entry.end && !this.isContentLine(j)) j++;
      if (j >= entry.end) throw new Unsupported('empty sequence entry');
      return { kind: 'map', start: j, end: entry.end, indent: leadingSpaces(this.lines.get(j)!) };
    }
    const indent = seq.dashCol + 1 + leadingSpaces(after);
    return { kind: 'map', start: entry.start, end: entry.end, indent, dashLine: entry.start, dashCol: seq.dashCol };
  }

  private resolve(path: Path): Resolved {
    let node: Resolved = { found: 'map', block: this.root() };
    for (let depth = 0; depth < path.length; depth++) {
      const seg = path[depth]!;
      if (typeof seg === 'number') {
        if (node.found !== 'seq') throw new Unsupported(`index ${seg} into a non-sequence`);
        node = { found: 'map', block: this.entryMap(node.block, seg) };
        continue;
      }
      if (node.found !== 'map') {
        if (node.found === 'missing') return node;
        throw new Unsupported(`key ${seg} into a ${node.found} value`);
      }
      const owner: MapBlock = node.block;
      const entry = this.keys(owner).find((k) => k.key === seg);
      if (!entry) return { found: 'missing', owner, depth };
      node = this.child(owner, entry);
    }
    return node;
  }

  // ---- writing ---------------------------------------------------------------------------------------

  private splice(at: number, remove: number, insert: readonly string[], added = indentsOfAdded(insert)): void {
    // Edits insert whole keys or entries, never into a block scalar, so the new lines can be read alone.
    this.lines.splice(at, remove, insert);
    this.indentCache?.splice(at, remove, added);
    const change: LineChange = { at, remove, lines: insert, added, delta: insert.length - remove };
    const maps = this.keyCache;
    this.keyCache = new Map();
    for (const outline of maps.values()) {
      const carried = this.carryKeys(outline.map, outline.keys, change);
      if (carried) this.keyCache.set(carried.map.start, carried);
    }
    const seqs = this.seqCache;
    this.seqCache = new Map();
    for (const outline of seqs.values()) {
      if (this.carryEntries(outline, change)) this.seqCache.set(outline.from, outline);
    }
  }

  /**
   * A mapping's keys after a splice, as readKeys would read them again: unchanged before it, moved after
   * it, and inside one key's value only that key's end changes; updated in place. Undefined when they
   * must be read again, and then left as they were. Lines added right after the mapping and deeper than
   * its keys extend its last key's value, as readKeys would read them: an edit appending to a pod's last
   * container made every mapping around it be read again (spec, template, pod spec), once per edit.
   */
  private carryKeys(map: MapBlock, keys: KeyEntry[], change: LineChange): { map: MapBlock; keys: KeyEntry[] } | undefined {
    const { at, remove, delta } = change;
    const extends_ = at === map.end && remove === 0 && addsNoKey(change, map.indent);
    const disjoint = !extends_ && (map.end <= at || map.start >= at + remove);
    if (disjoint) {
      if (map.end - map.start < CARRY_SPAN) return undefined;
      if (map.end <= at) return { map, keys };
      const moved: MapBlock = {
        ...map,
        start: map.start + delta,
        end: map.end + delta,
        ...(map.dashLine === undefined ? {} : { dashLine: map.dashLine + delta }),
      };
      shiftKeys(keys, 0, delta);
      return { map: moved, keys };
    }
    const i = keys.findLastIndex((k) => k.line < at);
    const inside = keys[i];
    if (!inside || at + remove > inside.end || !addsNoKey(change, map.indent)) return undefined;
    shiftKeys(keys, i + 1, delta);
    inside.end = this.contentEnd(inside.line + 1, keys[i + 1]?.line ?? map.end + delta);
    return { map: { ...map, end: map.end + delta }, keys };
  }

  /**
   * The same for a sequence's entries, updated in place; false when they must be read again. Entries
   * before the splice stay, those after it move, and the entries it touches are read again from the
   * last one that starts before it: the lines there are new, and they may add or remove entries (a move).
   */
  private carryEntries(outline: SeqLines, change: LineChange): boolean {
    const { at, remove, delta } = change;
    const { entries } = outline;
    const appended = at === outline.end && remove === 0;
    if (!appended && (outline.end <= at || outline.from >= at + remove)) {
      if (outline.end - outline.from < CARRY_SPAN) return false;
      if (outline.end <= at) return true;
      entries.shift(delta);
      outline.from += delta;
      outline.end += delta;
      return true;
    }
    const lo = entries.lastBefore(at);
    if (lo < 0 || at + remove > outline.end) return false;
    const hi = entries.lastBefore(at + remove) + 1;
    const until = (entries.entry(hi)?.start ?? outline.end) + delta;
    const reread = this.scanEntries(entries.entry(lo)!.start, until, outline.dashCol);
    // Lines added right after the sequence that are not entries of it (the next key) leave it as it was.
    if (typeof reread === 'number') return appended;
    entries.replace(lo, hi, reread, delta);
    outline.end += delta;
    return true;
  }

  /** Re-renders `key: value` over an existing key (and its value lines), keeping a sequence dash. */
  private replaceKey(owner: MapBlock, entry: KeyEntry, value: unknown): void {
    const rendered = renderLines({ [entry.key]: value }, owner.indent, this.style);
    if (owner.dashLine === entry.line && owner.dashCol !== undefined) {
      const first = rendered[0]!;
      rendered[0] = first.slice(0, owner.dashCol) + '-' + first.slice(owner.dashCol + 1);
    }
    this.splice(entry.line, entry.end - entry.line, rendered);
  }

  private insertionLine(owner: MapBlock, before: readonly string[] | undefined): number {
    const keys = this.keys(owner);
    const anchor = before ? keys.find((k) => before.includes(k.key)) : undefined;
    if (anchor && anchor.line !== owner.dashLine) return this.leadingCommentStart(anchor.line, owner.indent);
    const last = keys[keys.length - 1];
    if (!last) throw new Unsupported('mapping without keys');
    return last.end;
  }

  /** Comment lines directly above `line`, at `indent` or deeper, belong to it. */
  private leadingCommentStart(line: number, indent: number): number {
    let j = line;
    while (j > 0) {
      const prev = this.lines.get(j - 1)!;
      if (prev.trim() === '' || this.isContentLine(j - 1) || leadingSpaces(prev) < indent) break;
      j--;
    }
    return j;
  }

  private set(path: Path, after: unknown, before: readonly string[] | undefined): void {
    const parent = this.resolve(path.slice(0, -1));
    const key = path[path.length - 1] as string;
    switch (parent.found) {
      case 'map': {
        const entry = this.keys(parent.block).find((k) => k.key === key);
        if (entry) this.replaceKey(parent.block, entry, valueAt(after, path));
        else
          this.splice(
            this.insertionLine(parent.block, placementOf(key, before)),
            0,
            renderLines({ [key]: valueAt(after, path) }, parent.block.indent, this.style),
          );
        return;
      }
      case 'inline':
        this.replaceKey(parent.owner, parent.entry, valueAt(after, path.slice(0, -1)));
        return;
      case 'missing': {
        const missing = path[parent.depth] as string;
        const value = valueAt(after, path.slice(0, parent.depth + 1));
        const hint = placementOf(missing, parent.depth === path.length - 1 ? before : undefined);
        this.splice(this.insertionLine(parent.owner, hint), 0, renderLines({ [missing]: value }, parent.owner.indent, this.style));
        return;
      }
      case 'seq':
        throw new Unsupported(`${path.join('.')}: parent is a sequence`);
    }
  }

  /** Inserts `value`, which the edit put at `index` of the sequence at `path` (`after`: the item since). */
  private insert(path: Path, index: number, value: unknown, after: unknown, before: readonly string[] | undefined): void {
    const target = this.resolve(path);
    if (target.found === 'missing' && target.depth === path.length - 1) {
      // A new sequence of one entry: its key, then the entry as an insert into it would write it.
      const name = path[path.length - 1] as string;
      const keyLine = renderKeyLine(name, target.owner.indent);
      const entry = this.entryLines(value, target.owner.indent + (this.style.compact ? 0 : 2));
      const at = this.insertionLine(target.owner, placementOf(name, before));
      // concat, not spreading: the entry is the helper container in every pod, hundreds of lines.
      this.splice(at, 0, [keyLine].concat(entry), indentsOf([keyLine]).concat(indentsOfAdded(entry)));
      return;
    }
    if (target.found !== 'seq') {
      this.set(path, after, before);
      return;
    }
    const { block } = target;
    const rendered = this.entryLines(value, block.dashCol);
    const at =
      index < block.entries.length
        ? this.leadingCommentStart(block.entries.entry(index)!.start, block.dashCol)
        : block.entries.entry(block.entries.length - 1)!.end;
    this.splice(at, 0, rendered);
  }

  /** The lines of a new sequence entry, noting those shared by every pod for the read-back. */
  private entryLines(value: unknown, dashColumn: number): readonly string[] {
    const lines = renderEntryLines(value, dashColumn, this.style);
    if (Object.isFrozen(lines)) this.shared.push({ lines, value, dashColumn });
    return lines;
  }

  /**
   * Removes a key with its value lines and the comments above it, or a sequence entry; the only entry
   * of a sequence, or a key on a sequence entry's dash line, is left to the Document editor.
   */
  private remove(path: Path): void {
    const last = path[path.length - 1]!;
    const parent = this.resolve(path.slice(0, -1));
    if (typeof last === 'number') {
      if (parent.found !== 'seq' || parent.block.entries.length < 2)
        throw new Unsupported(`no block sequence to remove from at ${path.join('.')}`);
      const entry = parent.block.entries.entry(last);
      if (!entry) throw new Unsupported(`no entry ${last}`);
      const start = this.leadingCommentStart(entry.start, parent.block.dashCol);
      this.splice(start, entry.end - start, []);
      return;
    }
    if (parent.found !== 'map') throw new Unsupported(`no mapping to remove ${last} from`);
    const keys = this.keys(parent.block);
    const entry = keys.find((k) => k.key === last);
    if (!entry || keys.length < 2 || entry.line === parent.block.dashLine) throw new Unsupported(`key ${last} cannot be removed in place`);
    const start = this.leadingCommentStart(entry.line, parent.block.indent);
    this.splice(start, entry.end - start, []);
  }

  private move(edit: Extract<Edit, { op: 'move' }>, after: unknown): void {
    const source = this.resolve(edit.from);
    if (source.found !== 'seq') throw new Unsupported(`no block sequence at ${edit.from.join('.')}`);
    const entry = source.block.entries.entry(edit.fromIndex);
    if (!entry) throw new Unsupported(`no entry ${edit.fromIndex}`);
    const start = this.leadingCommentStart(entry.start, source.block.dashCol);
    const taken = this.lines.slice(start, entry.end);
    if (source.block.entries.length === 1) {
      this.splice(start, entry.end - start, []);
      const emptied = this.resolve(edit.from.slice(0, -1));
      if (emptied.found !== 'map') throw new Unsupported('source mapping vanished');
      const key = this.keys(emptied.block).find((k) => k.key === edit.from[edit.from.length - 1]);
      if (!key) throw new Unsupported('source key vanished');
      this.replaceKey(emptied.block, key, []);
    } else {
      this.splice(start, entry.end - start, []);
    }

    const target = this.resolve(edit.to);
    const shift = (dashCol: number): string[] => shiftLines(taken, dashCol - source.block.dashCol);
    switch (target.found) {
      case 'seq': {
        const { entries, dashCol } = target.block;
        const at =
          edit.toIndex < entries.length
            ? this.leadingCommentStart(entries.entry(edit.toIndex)!.start, dashCol)
            : entries.entry(entries.length - 1)!.end;
        this.splice(at, 0, shift(dashCol));
        return;
      }
      case 'inline': {
        const { owner, entry: key } = target;
        if (!sameData(valueAt(after, edit.to), [valueAt(after, [...edit.to, 0])])) throw new Unsupported('target sequence is not empty');
        const dashCol = owner.indent + (this.style.compact ? 0 : 2);
        const keyLine = renderKeyLine(key.key, owner.indent);
        this.splice(key.line, key.end - key.line, [this.keepDash(owner, key.line, keyLine), ...shift(dashCol)]);
        return;
      }
      case 'missing': {
        if (target.depth !== edit.to.length - 1) throw new Unsupported('target parent missing');
        const name = edit.to[edit.to.length - 1] as string;
        const dashCol = target.owner.indent + (this.style.compact ? 0 : 2);
        const keyLine = renderKeyLine(name, target.owner.indent);
        this.splice(this.insertionLine(target.owner, placementOf(name, edit.before)), 0, [keyLine, ...shift(dashCol)]);
        return;
      }
      case 'map':
        throw new Unsupported(`${edit.to.join('.')} is a mapping`);
    }
  }

  private keepDash(owner: MapBlock, line: number, text: string): string {
    if (owner.dashLine !== line || owner.dashCol === undefined) return text;
    return text.slice(0, owner.dashCol) + '-' + text.slice(owner.dashCol + 1);
  }
}

/** Moves lines left or right as a whole; block scalars stay valid because their indent is relative. */
function shiftLines(lines: readonly string[], delta: number): string[] {
  if (delta === 0) return [...lines];
  return lines.map((line) => {
    if (line === '') return line;
    if (delta > 0) return ' '.repeat(delta) + line;
    const lead = line.length - line.trimStart().length;
    if (line.trim() === '') return line.slice(Math.min(lead, -delta));
    if (lead < -delta) throw new Unsupported('entry cannot move left');
    return line.slice(-delta);
  });
}
