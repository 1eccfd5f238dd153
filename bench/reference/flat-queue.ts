/**
 * The comparison point for the event queue benchmarks: the fastest plain JS priority queue we know how to
 * write, in the style of mourner's flatqueue with fixed capacity (engine-performance.md §1.2 measured it
 * as the fastest JS queue up to 1e5 pending). Two parallel typed arrays, a "hole" sift, no growth checks and
 * NO tie-breaking: equal priorities come out in heap order, not insertion order, so it does strictly less
 * work than engine/core/event-queue.ts and is unusable for a deterministic simulator. Our own code.
 */
export class FlatQueue {
  private readonly ids: Uint32Array;
  private readonly values: Float64Array;
  private n = 0;

  constructor(capacity: number) {
    this.ids = new Uint32Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  clear(): void {
    this.n = 0;
  }

  push(id: number, value: number): void {
    const ids = this.ids;
    const values = this.values;
    let pos = this.n++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const pv = values[parent];
      if (value >= pv) break;
      ids[pos] = ids[parent];
      values[pos] = pv;
      pos = parent;
    }
    ids[pos] = id;
    values[pos] = value;
  }

  peekValue(): number {
    return this.n === 0 ? Infinity : this.values[0];
  }

  /** Removes the smallest item and returns its id; -1 when empty. */
  pop(): number {
    if (this.n === 0) return -1;
    const ids = this.ids;
    const values = this.values;
    const top = ids[0];
    const last = --this.n;
    if (last > 0) {
      const id = ids[last];
      const value = values[last];
      const half = last >> 1;
      let pos = 0;
      while (pos < half) {
        let left = (pos << 1) + 1;
        const right = left + 1;
        if (right < last && values[right] < values[left]) left = right;
        const lv = values[left];
        if (lv >= value) break;
        ids[pos] = ids[left];
        values[pos] = lv;
        pos = left;
      }
      ids[pos] = id;
      values[pos] = value;
    }
    return top;
  }
}
