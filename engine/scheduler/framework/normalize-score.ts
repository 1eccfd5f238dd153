/**
 * helper.DefaultNormalizeScore (pkg/scheduler/framework/plugins/helper/normalize_score.go), over the first
 * `n` raw scores, adding `weight ×` the normalized score to `out` (the framework's weighted sum, fused).
 * Raw scores are non-negative integers; Go integer division.
 */
export const MAX_NODE_SCORE = 100;

export function addDefaultNormalized(raw: Float64Array, n: number, reverse: boolean, weight: number, out: Float64Array): void {
  let max = 0;
  for (let f = 0; f < n; f++) if (raw[f] > max) max = raw[f];
  if (max === 0) {
    if (reverse) for (let f = 0; f < n; f++) out[f] += MAX_NODE_SCORE * weight;
    return;
  }
  for (let f = 0; f < n; f++) {
    let s = Math.trunc((MAX_NODE_SCORE * raw[f]) / max);
    if (reverse) s = MAX_NODE_SCORE - s;
    out[f] += s * weight;
  }
}
