/**
 * A list of names that the reorder takes out one at a time, each to its final place at the front. The
 * names not yet taken keep their order, so a name's position among them is the count of names before
 * it in the first order that are still there, which a Fenwick tree keeps in log n a lookup. A scan and
 * a splice of the list per name made reordering a pod of n containers cost n × n (issue 17).
 */
export class Remaining {
  private readonly first = new Map<string, number>();
  /** A Fenwick tree over the first order: 1 for a name still there, 0 for one taken. */
  private readonly tree: number[];

  constructor(private readonly names: readonly string[]) {
    this.tree = new Array<number>(names.length + 1).fill(0);
    names.forEach((name, i) => {
      this.first.set(name, i);
      this.add(i, 1);
    });
  }

  has(name: string): boolean {
    const i = this.first.get(name);
    return i !== undefined && this.countBefore(i + 1) - this.countBefore(i) === 1;
  }

  /** Where `name` is among the names still there. */
  positionOf(name: string): number {
    return this.countBefore(this.indexOf(name));
  }

  take(name: string): void {
    this.add(this.indexOf(name), -1);
  }

  /** The names still there, in order. */
  rest(): string[] {
    return this.names.filter((name) => this.has(name));
  }

  private indexOf(name: string): number {
    const i = this.first.get(name);
    if (i === undefined || !this.has(name)) throw new Error(`${name} is not among the names left to place`);
    return i;
  }

  private add(i: number, by: number): void {
    for (let k = i + 1; k < this.tree.length; k += k & -k) this.tree[k]! += by;
  }

  /** How many of the first `i` names are still there. */
  private countBefore(i: number): number {
    let sum = 0;
    for (let k = i; k > 0; k -= k & -k) sum += this.tree[k]!;
    return sum;
  }
}
