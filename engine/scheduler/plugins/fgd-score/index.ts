/**
 * FGDScore (hkust-adsl/kubernetes-scheduler-simulator pkg/simulator/plugin/fgd_score.go; fgd-method.md §4.1),
 * a score plugin of the kernel's GPU block (../open-gpu-share):
 * the node whose fragmentation grows least when the pod lands on it. Score = ⌊100 · σ((F_before − F_after)/1000)⌋
 * (σ the logistic function; no change scores 50). A sharing pod is tried on every GPU with enough milli left and
 * the node scores its best GPU; that GPU (lowest index among ties) is the one Reserve assigns. Whole-GPU pods
 * take fully free GPUs (all alike), CPU-only pods change only the cpu left.
 */
import type { GpuCluster } from '../../../gpu/cluster.js';
import type { Fragmentation } from '../../../gpu/fragmentation.js';
import { MILLI_PER_GPU } from '../../../gpu/resources.js';

/** The plugin's name in a KubeSchedulerConfiguration. */
export const NAME = 'FGDScore';

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

/** Most cached (node, pod class) scores (24 MiB at 6 bytes each); pods of classes beyond it are scored directly. */
const MAX_CACHED = 1 << 22;

/**
 * FGDScore with its scores cached per (node, pod class): the score of a node depends only on the node's columns
 * and the pod's (cpu, GPU count, milli), and a node changes only when a pod lands on it or leaves it, so most
 * nodes score the same as for the previous pod of the class (the study's simulator caches alike). An entry is
 * valid while the node's GpuCluster.version is the one it was computed for. Pure cache: scores are FgdScore's.
 */
export class CachedFgdScore {
  private readonly classes = new Map<string, number>();
  /** Per class: the node's version each cached score was computed for (-1: none), and the score. */
  private readonly versions: Int32Array[] = [];
  private readonly values: Int16Array[] = [];
  private cached = 0;
  /** The current pod's class arrays; null when its class is not cached. */
  private version: Int32Array | null = null;
  private value: Int16Array = new Int16Array(0);

  constructor(
    readonly fgd: FgdScore,
    private readonly c: GpuCluster,
  ) {}

  /** The pod about to be scored (its class is interned once per cycle). */
  setPod(cpu: number, gpus: number, milli: number): void {
    const key = `${cpu}/${gpus}/${milli}`;
    let id = this.classes.get(key);
    this.version = null;
    if (id === undefined) {
      if (this.cached + this.c.count > MAX_CACHED) return;
      this.classes.set(key, (id = this.versions.length));
      this.versions.push(new Int32Array(0));
      this.values.push(new Int16Array(0));
    }
    const rows = this.c.count;
    if (this.versions[id].length < rows) {
      // The cluster grew (the timed scheduler's cache): a larger array, the entries kept.
      const n = Math.max(rows, this.versions[id].length * 2);
      if (this.cached + n - this.versions[id].length > MAX_CACHED) return;
      this.cached += n - this.versions[id].length;
      const v = new Int32Array(n).fill(-1);
      v.set(this.versions[id]);
      const s = new Int16Array(n);
      s.set(this.values[id]);
      this.versions[id] = v;
      this.values[id] = s;
    }
    this.version = this.versions[id];
    this.value = this.values[id];
  }

  score(row: number, cpu: number, gpus: number, milli: number): number {
    const version = this.version;
    if (version === null) return this.fgd.score(row, cpu, gpus, milli);
    const v = this.c.version[row];
    if (version[row] === v) return this.value[row];
    const s = this.fgd.score(row, cpu, gpus, milli);
    version[row] = v;
    this.value[row] = s;
    return s;
  }
}
