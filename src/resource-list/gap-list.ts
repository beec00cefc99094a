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
    this.items = items.slice();
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
    // concat, not spreading: the editor joins every pod's lines this way, and spreading went element by element.
    return this.items.slice(0, this.gapStart).concat(this.items.slice(this.gapEnd)) as T[];
  }

  splice(at: number, remove: number, insert: readonly T[]): void {
    this.moveGap(at);
    for (let i = this.gapEnd; i < this.gapEnd + remove; i++) this.items[i] = undefined;
    this.gapEnd += remove;
    if (this.gapEnd - this.gapStart < insert.length) this.widen(insert.length);
    for (const item of insert) this.items[this.gapStart++] = item;
  }

  private moveGap(at: number): void {
    // Element by element: copyWithin and fill take a generic path on a JS array, which cost more than the moves themselves.
    const { items } = this;
    if (this.gapStart === this.gapEnd) {
      this.gapStart = this.gapEnd = at;
      return;
    }
    while (this.gapStart > at) {
      items[--this.gapEnd] = items[--this.gapStart];
      items[this.gapStart] = undefined;
    }
    while (this.gapStart < at) {
      items[this.gapStart++] = items[this.gapEnd];
      items[this.gapEnd++] = undefined;
    }
  }

  /** A gap of at least `size`, and as large again as the list: widening is rare, so its copies add up to a constant per element. */
  private widen(size: number): void {
    const gap = Math.max(size, this.length, 64);
    const { items, gapStart, gapEnd } = this;
    const tail = items.length - gapEnd;
    // One array of the final size, filled in a loop: slicing and concatenating made three copies of the list.
    const wider = new Array<T | undefined>(gapStart + gap + tail);
    for (let i = 0; i < gapStart; i++) wider[i] = items[i];
    for (let i = gapStart; i < gapStart + gap; i++) wider[i] = undefined;
    for (let i = 0; i < tail; i++) wider[gapStart + gap + i] = items[gapEnd + i];
    this.items = wider;
    this.gapEnd = gapStart + gap;
  }
}
