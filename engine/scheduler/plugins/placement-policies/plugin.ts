/** FirstFit, RoundRobin and UniformRandom as Score plugins (framework/plugin.ts); see index.ts. */
import type { FilterCycle, ScoreCycle, ScorePlugin } from '../../framework/plugin.js';
import type { NodeTable } from '../../node-table.js';
import { FIRST_FIT, POLICY_SCORE, ROUND_ROBIN, UNIFORM_RANDOM } from './index.js';

/** Row → position in NodeTree order, rebuilt when the table rebuilds its order (after nodes are added). */
class TreePositions {
  private positions = new Int32Array(0);
  private of: Int32Array | null = null;

  get(t: NodeTable): Int32Array {
    const order = t.order;
    if (this.of !== order) {
      if (this.positions.length < t.capacity) this.positions = new Int32Array(t.capacity);
      for (let j = 0; j < order.length; j++) this.positions[order[j]] = j;
      this.of = order;
    }
    return this.positions;
  }
}

export class FirstFitPlugin implements ScorePlugin {
  readonly name = FIRST_FIT;
  private readonly tree = new TreePositions();

  score(c: ScoreCycle, feasible: Int32Array, found: number, w: number, out: Float64Array): void {
    const pos = this.tree.get(c.t);
    let best = 0;
    for (let f = 1; f < found; f++) if (pos[feasible[f]] < pos[feasible[best]]) best = f;
    out[best] += POLICY_SCORE * w;
  }

  uniform(_c: FilterCycle): boolean {
    return false;
  }
}

export class RoundRobinPlugin implements ScorePlugin {
  readonly name = ROUND_ROBIN;
  private readonly tree = new TreePositions();
  /** The NodeTree position the next search starts from. */
  private cursor = 0;

  score(c: ScoreCycle, feasible: Int32Array, found: number, w: number, out: Float64Array): void {
    const n = c.t.count;
    const pos = this.tree.get(c.t);
    const cursor = this.cursor % n;
    let best = 0;
    let bestGap = n;
    for (let f = 0; f < found; f++) {
      let gap = pos[feasible[f]] - cursor;
      if (gap < 0) gap += n;
      if (gap < bestGap) {
        bestGap = gap;
        best = f;
      }
    }
    out[best] += POLICY_SCORE * w;
    this.cursor = (pos[feasible[best]] + 1) % n;
  }

  uniform(_c: FilterCycle): boolean {
    return false;
  }
}

export class UniformRandomPlugin implements ScorePlugin {
  readonly name = UNIFORM_RANDOM;

  score(c: ScoreCycle, _feasible: Int32Array, found: number, w: number, out: Float64Array): void {
    if (c.rng === undefined) throw new Error("UniformRandom scores need the scheduler's random stream");
    out[c.rng.int(found)] += POLICY_SCORE * w;
  }

  uniform(_c: FilterCycle): boolean {
    return false;
  }
}
