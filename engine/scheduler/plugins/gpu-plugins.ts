/**
 * The GPU plugins of the FGD study's scheduler (hkust-adsl/kubernetes-scheduler-simulator, pkg/simulator/plugin,
 * and example/test-scheduler-config.yaml), as a KubeSchedulerConfiguration names them: the `Open-Gpu-Share`
 * filter/reserve plugin (./open-gpu-share: GPU feasibility and device assignment, pluginConfig `gpuSelMethod`)
 * and one score plugin per placement policy (./fgd-score, ./best-fit-score, ./dot-product-score,
 * ./gpu-packing-score, ./gpu-clustering-score, ./random-score). scenario/scheduler-config.ts registers the names
 * and their extension points from here and parses their args.
 */
import type { Field } from '../../scenario/yaml-field.js';
import { NAME as BEST_FIT } from './best-fit-score/index.js';
import { DIM_EXT_METHODS, NAME as DOT_PRODUCT, NORM_METHODS } from './dot-product-score/index.js';
import { NAME as FGD } from './fgd-score/index.js';
import { NAME as GPU_CLUSTERING } from './gpu-clustering-score/index.js';
import { NAME as GPU_PACKING } from './gpu-packing-score/index.js';
import { NAME as OPEN_GPU_SHARE, SEL_METHODS, type GpuSelMethod } from './open-gpu-share/index.js';
import { NAME as RANDOM } from './random-score/index.js';

export { OPEN_GPU_SHARE, FGD, BEST_FIT, DOT_PRODUCT, GPU_PACKING, GPU_CLUSTERING, RANDOM };
export { GPU_SCORE_PLUGINS, type GpuScorePlugin } from './gpu-scores.js';
export { selMethodOf, type GpuProfile, type GpuSelMethod } from './open-gpu-share/index.js';

/** Extension points of each GPU plugin (RandomScore draws its node at PreScore). */
export const GPU_PLUGIN_POINTS: Readonly<Record<string, readonly ('preFilter' | 'filter' | 'preScore' | 'score' | 'reserve')[]>> = {
  [OPEN_GPU_SHARE]: ['preFilter', 'filter', 'reserve'],
  [FGD]: ['score'],
  [BEST_FIT]: ['score'],
  [DOT_PRODUCT]: ['score'],
  [GPU_PACKING]: ['score'],
  [GPU_CLUSTERING]: ['score'],
  [RANDOM]: ['preScore', 'score'],
};

/** Args of the GPU plugins (the simulator's pluginConfig: dimExtMethod, normMethod, gpuSelMethod). */
export function parseGpuPluginArgs(name: string, args: Field): GpuSelMethod | null {
  args.rejectUnknownKeys(['apiVersion', 'kind', 'dimExtMethod', 'normMethod', 'gpuSelMethod']);
  // dimExtMethod/normMethod select variants of the similarity scores; the study's policies use one variant each
  // (DotProduct: merge + max), which is what kubesim implements.
  args.get('dimExtMethod').optOneOf(DIM_EXT_METHODS, 'merge');
  args.get('normMethod').optOneOf(NORM_METHODS, 'max');
  const sel = args.get('gpuSelMethod');
  if (!sel.exists) return null;
  if (name !== OPEN_GPU_SHARE) sel.fail(`gpuSelMethod is an argument of ${OPEN_GPU_SHARE}, not of ${name}`);
  return sel.oneOf(SEL_METHODS);
}
