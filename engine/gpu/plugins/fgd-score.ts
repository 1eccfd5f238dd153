/**
 * FGDScore (hkust-adsl/kubernetes-scheduler-simulator pkg/simulator/plugin/fgd_score.go; fgd-method.md §4.1):
 * the node whose fragmentation grows least when the pod lands on it. Score = ⌊100 · σ((F_before − F_after)/1000)⌋
 * (σ the logistic function; no change scores 50). A sharing pod is tried on every GPU with enough milli left and
 * the node scores its best GPU; that GPU (lowest index among ties) is the one Reserve assigns. Whole-GPU pods
 * take fully free GPUs (all alike), CPU-only pods change only the cpu left.
 */
import type { GpuCluster } from '../cluster.js';
import type { Fragmentation } from '../fragmentation.js';
import { MILLI_PER_GPU } from '../resources.js';

/** ⌊100 · σ(ΔF/1000)⌋ with ΔF = F_before − F_after, truncated as the plugin's int64 conversion does. */
export function fgdScoreOf(before: number, after: number): number {
  return Math.trunc(100 / (1 + Math.exp(-(before - after) / 1000)));
}

export class FgdScore {
  /** Local index of the GPU of the last sharing-pod score (-1 otherwise). */
  device = -1;

  constructor(
    private readonly c: GpuCluster,
    private readonly frag: Fragmentation,
  ) {}

  score(row: number, cpu: number, gpus: number, milli: number): number {
    const c = this.c;
    this.frag.sync(row);
    const before = this.frag.nodeF[row];
    this.device = -1;
    if (gpus === 1 && milli < MILLI_PER_GPU) {
      const start = c.gpuStart[row];
      const g = c.gpuCount[row];
      let best = -1;
      for (let i = 0; i < g; i++) {
        const l = c.left[start + i];
        if (l < milli) continue;
        const s = fgdScoreOf(before, this.frag.after(row, 1, l, l - milli, cpu));
        if (s > best) {
          best = s;
          this.device = i;
        }
      }
      return best < 0 ? 0 : best;
    }
    return fgdScoreOf(before, this.frag.after(row, gpus, MILLI_PER_GPU, 0, cpu));
  }
}
