/**
 * A list with a gap where it was last spliced (a gap buffer). The block-text editor edits a pod container
 * after container, so each splice lands near the one before; splicing a flat array moves every element
 * after the splice instead, which made editing a pod of n containers cost n × its lines (issue 17).
 */
export class GapList<T> {
  private items: (T | undefined)[];
  /** items[gapStart, gapEnd) hold nothing. */
  private gapStart: number;
  private gapEnd: number;

  constructor(items: readonly T[]) {
    this.items = [...items];
    this.gapStart = items.length;
    this.gapEnd = items.length;
  }

  get length(): number {
    return this.items.length - (this.gapEnd - this.gapStart);
  }

  get(i: number): T | undefined {
    if (i < 0) return undefined;
    return this.items[i < this.gapStart ? i : i + this.gapEnd - this.gapStart];
  }

  slice(start: number, end: number): T[] {
    const out: T[] = [];
    for (let i = start; i < end; i++) out.push(this.get(i)!);
    return out;
  }

  toArray(): T[] {
    return [...this.items.slice(0, this.gapStart), ...this.items.slice(this.gapEnd)] as T[];
  }

  splice(at: number, remove: number, insert: readonly T[]): void {
    this.moveGap(at);
    for (let i = this.gapEnd; i < this.gapEnd + remove; i++) this.items[i] = undefined;
    this.gapEnd += remove;
    if (this.gapEnd - this.gapStart < insert.length) this.widen(insert.length);
    for (const item of insert) this.items[this.gapStart++] = item;
  }

  /**
   * Plain loops, not copyWithin and fill: on an array with holes those take V8's generic path, element
   * by element, and were a twentieth of an entrypoint edit-all run.
   */
  private moveGap(at: number): void {
    const { items, gapStart, gapEnd } = this;
    if (at < gapStart) {
      const n = gapStart - at;
      for (let i = n - 1; i >= 0; i--) items[gapEnd - n + i] = items[at + i];
      for (let i = at, stop = Math.min(gapStart, gapEnd - n); i < stop; i++) items[i] = undefined;
      this.gapStart = at;
      this.gapEnd = gapEnd - n;
    } else if (at > gapStart) {
      const n = at - gapStart;
      for (let i = 0; i < n; i++) items[gapStart + i] = items[gapEnd + i];
      for (let i = Math.max(gapEnd, gapStart + n), stop = gapEnd + n; i < stop; i++) items[i] = undefined;
      this.gapStart = at;
      this.gapEnd = gapEnd + n;
    }
  }

  /** A gap of at least `size`, and as large again as the list: widening is rare, so its copies add up to a constant per element. */
  private widen(size: number): void {
    const gap = Math.max(size, this.length, 64);
    const after = this.items.slice(this.gapEnd);
    this.items.length = this.gapStart;
    for (let i = 0; i < gap; i++) this.items.push(undefined);
    this.gapEnd = this.gapStart + gap;
    for (const item of after) this.items.push(item);
  }
}
