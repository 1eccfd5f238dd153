/**
 * The GPU plugins of the FGD study's scheduler in the registry: Open-Gpu-Share (filter, reserve; args
 * gpuSelMethod) and the six score plugins (args dimExtMethod/normMethod, validated; ../gpu-plugins.ts).
 */
import type { Field } from '../../../scenario/yaml-field.js';
import { GPU_PLUGIN_POINTS, GPU_SCORE_PLUGINS, OPEN_GPU_SHARE, parseGpuPluginArgs, type GpuSelMethod } from '../gpu-plugins.js';
import type { PluginDescriptor } from '../../framework/registry-types.js';
import { GPU_SHARE } from '../../framework/rejectors.js';

export interface GpuShareArgs {
  /** null = the policy's own (FGDScore for FGD, random for RandomScore, else best). */
  readonly gpuSelMethod: GpuSelMethod | null;
}

export const gpuShareDescriptor: PluginDescriptor<GpuShareArgs> = {
  name: OPEN_GPU_SHARE,
  points: GPU_PLUGIN_POINTS[OPEN_GPU_SHARE],
  support: 'modeled',
  args: { defaults: { gpuSelMethod: null }, parse: (args: Field) => ({ gpuSelMethod: parseGpuPluginArgs(OPEN_GPU_SHARE, args) }) },
  bit: GPU_SHARE,
};

/** The score plugins' args select similarity variants; kubesim implements the study's (validated, then dropped). */
export const gpuScoreDescriptors: readonly PluginDescriptor<null>[] = GPU_SCORE_PLUGINS.map((name) => ({
  name,
  points: GPU_PLUGIN_POINTS[name],
  support: 'modeled' as const,
  args: {
    defaults: null,
    parse: (args: Field) => {
      parseGpuPluginArgs(name, args);
      return null;
    },
  },
}));
