/** ImageLocality as a Score plugin (framework/plugin.ts); the formulas are in index.ts. */
import type { FilterCycle, ScoreCycle, ScorePlugin } from '../../framework/plugin.js';
import { NAME, calculatePriority, scaledImageScore } from './index.js';

export class ImageLocalityPlugin implements ScorePlugin {
  readonly name = NAME;
  private readonly cols: Uint8Array[] = [];
  private readonly scaled: number[] = [];

  /** Spread-scaled sizes of the pod's images the node holds, over all nodes in the cache (no NormalizeScore). */
  score(c: ScoreCycle, feasible: Int32Array, found: number, w: number, out: Float64Array): void {
    const { t, pod } = c;
    const cols = this.cols;
    const scaled = this.scaled;
    cols.length = 0;
    scaled.length = 0;
    // An image every node holds adds the same amount everywhere: folded into `base`, no per-node lookup.
    let base = 0;
    for (const name of pod.images) {
      const id = t.imageId(name);
      if (id < 0 || t.imageNumNodes[id] === 0) continue;
      const s = scaledImageScore(t.imageSize[id], t.imageNumNodes[id], t.live);
      if (t.imageNumNodes[id] === t.live) base += s;
      else {
        cols.push(t.imageCols[id]);
        scaled.push(s);
      }
    }
    const containers = pod.images.length;
    if (cols.length === 0) {
      // No per-node difference (and calculatePriority(0) = 0 when no image is anywhere).
      const v = calculatePriority(base, containers) * w;
      if (v !== 0) for (let f = 0; f < found; f++) out[f] += v;
      return;
    }
    for (let f = 0; f < found; f++) {
      const i = feasible[f];
      let sum = base;
      for (let k = 0; k < cols.length; k++) if (cols[k][i] === 1) sum += scaled[k];
      out[f] += calculatePriority(sum, containers) * w;
    }
  }

  /** The same on every node when each of the pod's images is on all nodes or none. */
  uniform(c: FilterCycle): boolean {
    const t = c.t;
    for (const name of c.pod.images) {
      const id = t.imageId(name);
      if (id >= 0 && t.imageNumNodes[id] !== 0 && t.imageNumNodes[id] !== t.live) return false;
    }
    return true;
  }
}
