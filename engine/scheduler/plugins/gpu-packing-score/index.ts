/**
 * GpuPackingScore (the simulator's pkg/simulator/plugin/gpu_packing_score.go; fgd-method.md §4.4): fill GPUs
 * that are already shared first, then new GPUs on partly used nodes, then idle nodes.
 * CPU-only pods score 0 everywhere (so they go first-fit in the node order). On a GPU-idle node with G GPUs
 * the score is max(33 − G, G). Otherwise the pod's GPUs are picked by ascending milli left (lowest index among
 * equals): if u > 0 of them are idle, max(50 − u, 33); else, with r = Σ ⌊left·100/1000⌋ of the picked GPUs
 * before placement, max(100 − ⌊r/10⌋, 50).
 */
import type { GpuCluster } from '../../../gpu/cluster.js';
import { MILLI_PER_GPU } from '../../../gpu/resources.js';

/** The plugin's name in a KubeSchedulerConfiguration. */
export const NAME = 'GpuPackingScore';

export function gpuPackingScore(c: GpuCluster, row: number, gpus: number, milli: number): number {
  if (gpus === 0) return 0;
  const g = c.gpuCount[row];
  if (c.fullFree[row] === g) return Math.max(33 - g, g);
  const start = c.gpuStart[row];
  // Pick k GPUs in ascending left: repeatedly the smallest sufficient one not yet picked (k ≤ 16, G ≤ 16).
  let picked = 0;
  let idle = 0;
  let r = 0;
  let lastLeft = -1;
  let lastIndex = -1;
  while (picked < gpus) {
    let best = -1;
    for (let i = 0; i < g; i++) {
      const l = c.left[start + i];
      if (l < milli) continue;
      // Strictly after the previous pick in (left, index) order.
      if (l < lastLeft || (l === lastLeft && i <= lastIndex)) continue;
      if (best < 0 || l < c.left[start + best]) best = i;
    }
    if (best < 0) break;
    const l = c.left[start + best];
    if (l === MILLI_PER_GPU) idle++;
    r += Math.trunc((l * 100) / MILLI_PER_GPU);
    lastLeft = l;
    lastIndex = best;
    picked++;
  }
  if (idle > 0) return Math.max(50 - idle, 33);
  return Math.max(100 - Math.trunc(r / 10), 50);
}
