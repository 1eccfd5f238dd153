/**
 * The GPU plugins of the FGD study's scheduler (hkust-adsl/kubernetes-scheduler-simulator, pkg/simulator/plugin,
 * and example/test-scheduler-config.yaml), as a KubeSchedulerConfiguration names them: the `Open-Gpu-Share`
 * filter/reserve plugin (GPU feasibility and device assignment, pluginConfig `gpuSelMethod`) and one score
 * plugin per placement policy. scheduler-config.ts registers the names; this module turns a profile's enabled
 * plugins and their args into a GpuProfile, which the kernel's GPU block (engine/scheduler/gpu-share.ts) runs.
 */
import type { Field } from '../scenario/yaml-field.js';

export const OPEN_GPU_SHARE = 'Open-Gpu-Share';
export const FGD = 'FGDScore';
export const BEST_FIT = 'BestFitScore';
export const DOT_PRODUCT = 'DotProductScore';
export const GPU_PACKING = 'GpuPackingScore';
export const GPU_CLUSTERING = 'GpuClusteringScore';
export const RANDOM = 'RandomScore';

export type GpuScorePlugin = typeof FGD | typeof BEST_FIT | typeof DOT_PRODUCT | typeof GPU_PACKING | typeof GPU_CLUSTERING | typeof RANDOM;
export const GPU_SCORE_PLUGINS: readonly GpuScorePlugin[] = [FGD, BEST_FIT, DOT_PRODUCT, GPU_PACKING, GPU_CLUSTERING, RANDOM];

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

export function isGpuPlugin(name: string): boolean {
  return GPU_PLUGIN_POINTS[name] !== undefined;
}

/**
 * How a shared GPU is chosen on the selected node (Open-Gpu-Share Reserve): `best` = the fitting GPU with the
 * least milli left, `random` = uniform among fitting GPUs, `FGDScore` = the GPU with the highest FGD score.
 * Whole-GPU pods always take the lowest-index free GPUs.
 */
export type GpuSelMethod = 'best' | 'random' | 'FGDScore';
const SEL_METHODS: readonly GpuSelMethod[] = ['best', 'random', 'FGDScore'];

export interface GpuProfile {
  readonly schedulerName: string;
  readonly percentageOfNodesToScore: number;
  /** Open-Gpu-Share enabled at filter. */
  readonly gpuFilter: boolean;
  /** NodeResourcesFit enabled at filter (cpu, memory, pods). */
  readonly fitFilter: boolean;
  /** Enabled GPU score plugins with their weights (in GPU_SCORE_PLUGINS order; the total is a sum). */
  readonly scores: readonly { readonly name: GpuScorePlugin; readonly weight: number }[];
  /** Enabled score plugins the GPU replay does not model (must be empty for a GPU replay). */
  readonly otherScores: readonly string[];
  /** Open-Gpu-Share args.gpuSelMethod; null = the policy's own (FGDScore for FGD, random for Random, else best). */
  readonly gpuSelMethod: GpuSelMethod | null;
}

/** Args of the GPU plugins (the simulator's pluginConfig: dimExtMethod, normMethod, gpuSelMethod). */
export function parseGpuPluginArgs(name: string, args: Field): GpuSelMethod | null {
  args.rejectUnknownKeys(['apiVersion', 'kind', 'dimExtMethod', 'normMethod', 'gpuSelMethod']);
  // dimExtMethod/normMethod select variants of the similarity scores; the study's policies use one variant each
  // (DotProduct: merge + max), which is what kubesim implements.
  args.get('dimExtMethod').optOneOf(['share', 'merge', 'divide', 'extend'], 'merge');
  args.get('normMethod').optOneOf(['max', 'sum', 'node'], 'max');
  const sel = args.get('gpuSelMethod');
  if (!sel.exists) return null;
  if (name !== OPEN_GPU_SHARE) sel.fail(`gpuSelMethod is an argument of ${OPEN_GPU_SHARE}, not of ${name}`);
  return sel.oneOf(SEL_METHODS);
}

/** The device choice a profile uses: its explicit gpuSelMethod, else the one the study pairs with its score plugin. */
export function selMethodOf(p: GpuProfile): GpuSelMethod {
  if (p.gpuSelMethod !== null) return p.gpuSelMethod;
  if (p.scores.some((s) => s.name === FGD)) return 'FGDScore';
  if (p.scores.length > 0 && p.scores.every((s) => s.name === RANDOM)) return 'random';
  return 'best';
}
