/**
 * Open-Gpu-Share Reserve's device selection: which GPU(s) of the chosen node a pod gets (the simulator's
 * pkg/simulator/plugin/open_gpu_share.go and utils gpu selection; fgd-method.md §3.7). Whole-GPU pods take the
 * lowest-index fully free GPUs under every method; a sharing pod gets, by method, the fitting GPU with the least
 * milli left (`best`, lowest index among equals), a uniformly random fitting GPU (`random`), or the GPU with the
 * best FGD score (computed by FgdScore).
 */
import type { RngStream } from '../../../core/rng.js';
import type { GpuCluster } from '../../../gpu/cluster.js';
import { MILLI_PER_GPU } from '../../../gpu/resources.js';

/** Bit mask of the `k` lowest-index idle GPUs of the node (0 if it has fewer). */
export function wholeDevices(c: GpuCluster, row: number, k: number): number {
  const start = c.gpuStart[row];
  let mask = 0;
  let got = 0;
  for (let i = 0; i < c.gpuCount[row] && got < k; i++) {
    if (c.left[start + i] === MILLI_PER_GPU) {
      mask |= 1 << i;
      got++;
    }
  }
  return got === k ? mask : 0;
}

/** The fitting GPU with the least milli left, lowest index among equals; -1 if none fits. */
export function bestDevice(c: GpuCluster, row: number, milli: number): number {
  const start = c.gpuStart[row];
  let best = -1;
  for (let i = 0; i < c.gpuCount[row]; i++) {
    const l = c.left[start + i];
    if (l >= milli && (best < 0 || l < c.left[start + best])) best = i;
  }
  return best;
}

/** A uniformly random fitting GPU (one draw when more than one fits); -1 if none fits. */
export function randomDevice(c: GpuCluster, row: number, milli: number, rng: RngStream): number {
  const start = c.gpuStart[row];
  let fitting = 0;
  for (let i = 0; i < c.gpuCount[row]; i++) if (c.left[start + i] >= milli) fitting++;
  if (fitting === 0) return -1;
  let pick = fitting === 1 ? 0 : rng.int(fitting);
  for (let i = 0; i < c.gpuCount[row]; i++) {
    if (c.left[start + i] >= milli && pick-- === 0) return i;
  }
  return -1;
}
