/**
 * The entries of a block sequence (each one's lines), kept current while the block editor splices lines.
 * A splice moves every entry after it. Moving them one by one on every splice made editing a pod of n
 * containers cost n × n (issue 17). Here the entries after the last splice carry that move as one
 * pending shift, which reaches an entry only when a later splice passes it. The mechanisms edit a pod
 * container after container, so each pass over the pod moves each entry once.
 */
export interface SeqEntry {
  readonly start: number;
  /** One past the entry's last content line. */
  readonly end: number;
}

export class SeqOutline {
  /**
   * Each entry's lines, less `base`, and less `pendingDelta` as well from `pendingFrom` on: the shift
   * every entry has, and the one that the entries after the last splice have besides.
   */
  private readonly stored: { start: number; end: number }[];
  private base = 0;
  private pendingFrom: number;
  private pendingDelta = 0;

  constructor(entries: readonly SeqEntry[]) {
    this.stored = entries.map((e) => ({ start: e.start, end: e.end }));
    this.pendingFrom = this.stored.length;
  }

  get length(): number {
    return this.stored.length;
  }

  entry(k: number): SeqEntry | undefined {
    const e = this.stored[k];
    if (!e) return undefined;
    const shift = this.base + (k >= this.pendingFrom ? this.pendingDelta : 0);
    return { start: e.start + shift, end: e.end + shift };
  }

  /** The index of the last entry that starts before `line`, -1 when none does; by bisection, for sequences of thousands. */
  lastBefore(line: number): number {
    let lo = 0;
    let hi = this.stored.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entry(mid)!.start < line) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Every entry moved by `delta` lines. */
  shift(delta: number): void {
    this.base += delta;
  }

  /** Entries [lo, hi) replaced by `replacement` (read after the splice), and every entry from `hi` on moved by `delta` lines. */
  replace(lo: number, hi: number, replacement: readonly SeqEntry[], delta: number): void {
    const { stored, pendingDelta } = this;
    // The pending shift is made to start at hi, settling only the entries between the last splice and this one.
    for (let k = this.pendingFrom; k < hi; k++) {
      stored[k]!.start += pendingDelta;
      stored[k]!.end += pendingDelta;
    }
    for (let k = hi; k < this.pendingFrom; k++) {
      stored[k]!.start -= pendingDelta;
      stored[k]!.end -= pendingDelta;
    }
    this.pendingDelta += delta;
    const added = replacement.map((e) => ({ start: e.start - this.base, end: e.end - this.base }));
    if (added.length === hi - lo) added.forEach((e, k) => (stored[lo + k] = e));
    else stored.splice(lo, hi - lo, ...added);
    this.pendingFrom = lo + added.length;
  }
}
