/**
 * The weighted sum of a profile's GPU score plugins over the feasible nodes (the framework's RunScorePlugins
 * and NormalizeScore for the study's plugins: integer scores, BestFit min–max normalized, × weight), added to
 * `out`. Called by the kernel's GPU block (engine/scheduler/gpu-share.ts), in both drivers of the scheduler: the
 * timed control plane and the arrival-only replay (replay.ts).
 */
import type { RngStream } from '../../core/rng.js';
import type { GpuCluster } from '../../gpu/cluster.js';
import { NAME as BEST_FIT, bestFitRaw, minMaxNormalize } from './best-fit-score/index.js';
import { NAME as DOT_PRODUCT, dotProductScore } from './dot-product-score/index.js';
import { NAME as FGD } from './fgd-score/index.js';
import { NAME as GPU_CLUSTERING, gpuClusteringScore, gpuTagOf } from './gpu-clustering-score/index.js';
import { NAME as GPU_PACKING, gpuPackingScore } from './gpu-packing-score/index.js';
import { NAME as RANDOM, addRandomScore } from './random-score/index.js';

export type GpuScorePlugin = typeof FGD | typeof BEST_FIT | typeof DOT_PRODUCT | typeof GPU_PACKING | typeof GPU_CLUSTERING | typeof RANDOM;
/** The GPU score plugins, in the order a profile's scores are summed. */
export const GPU_SCORE_PLUGINS: readonly GpuScorePlugin[] = [FGD, BEST_FIT, DOT_PRODUCT, GPU_PACKING, GPU_CLUSTERING, RANDOM];

/** An enabled GPU score plugin and its weight. */
export interface GpuScore {
  readonly name: GpuScorePlugin;
  readonly weight: number;
}

/** FGDScore on one node (FgdScore, or a cache in front of it). */
export interface FgdScorer {
  score(row: number, cpu: number, gpus: number, milli: number): number;
}

/** The pod being scored: its cpu request and GPU request (gpus × milli; 0 GPUs for a CPU-only pod). */
export interface ScoredPod {
  readonly cpu: number;
  readonly gpus: number;
  readonly milli: number;
}

/**
 * `raw` is scratch of at least `found` entries; `fgd` is required when the profile has FGDScore; `rng` draws
 * RandomScore's node (one draw per pod).
 */
export function addGpuScores(
  c: GpuCluster,
  scores: readonly GpuScore[],
  pod: ScoredPod,
  feasible: Int32Array,
  found: number,
  out: Float64Array,
  raw: Float64Array,
  fgd: FgdScorer | null,
  rng: RngStream,
): void {
  const { cpu, gpus, milli } = pod;
  for (const s of scores) {
    const w = s.weight;
    switch (s.name) {
      case FGD:
        if (fgd === null) throw new Error('internal: FGDScore without its scorer');
        for (let f = 0; f < found; f++) out[f] += w * fgd.score(feasible[f], cpu, gpus, milli);
        break;
      case BEST_FIT:
        for (let f = 0; f < found; f++) raw[f] = bestFitRaw(c, feasible[f], cpu, gpus, milli);
        minMaxNormalize(raw, found);
        for (let f = 0; f < found; f++) out[f] += w * raw[f];
        break;
      case DOT_PRODUCT:
        for (let f = 0; f < found; f++) out[f] += w * dotProductScore(c, feasible[f], cpu, gpus, milli);
        break;
      case GPU_PACKING:
        for (let f = 0; f < found; f++) out[f] += w * gpuPackingScore(c, feasible[f], gpus, milli);
        break;
      case GPU_CLUSTERING: {
        const tag = gpuTagOf(gpus, milli);
        for (let f = 0; f < found; f++) out[f] += w * gpuClusteringScore(c, feasible[f], tag);
        break;
      }
      case RANDOM:
        addRandomScore(found, out, w, rng);
        break;
    }
  }
}
