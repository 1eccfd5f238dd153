/**
 * A profile's enabled plugins as instances (framework/plugin.ts), in the order the framework runs them:
 * Filter and Score plugins in the profile's order, so that the plugins that draw from the scheduler's stream
 * (UniformRandom, the GPU RandomScore) draw in the same order in every path. Both the fused kernel (kernel.ts) and the plugin-by-plugin
 * runtime (runtime.ts) run these instances.
 */
import { GpuShare } from '../plugins/open-gpu-share/index.js';
import { NodeAffinityPlugin } from '../plugins/node-affinity/plugin.js';
import { NodePortsPlugin } from '../plugins/node-ports/plugin.js';
import { NodeResourcesFitPlugin } from '../plugins/node-resources-fit/plugin.js';
import { BalancedAllocationPlugin } from '../plugins/node-resources-balanced-allocation/plugin.js';
import { NodeUnschedulablePlugin } from '../plugins/node-unschedulable/plugin.js';
import { TaintTolerationPlugin } from '../plugins/taint-toleration/plugin.js';
import { PodTopologySpreadPlugin } from '../plugins/pod-topology-spread/plugin.js';
import { InterPodAffinityPlugin } from '../plugins/inter-pod-affinity/plugin.js';
import { ImageLocalityPlugin } from '../plugins/image-locality/plugin.js';
import { FirstFitPlugin, RoundRobinPlugin, UniformRandomPlugin } from '../plugins/placement-policies/plugin.js';
import { VolumePlugin } from '../plugins/volume-binding/plugin.js';
import { DynamicResourcesPlugin } from '../plugins/dynamic-resources/plugin.js';
import { GpuScorePlugin, OpenGpuSharePlugin } from '../plugins/open-gpu-share/plugin.js';
import { UserFilterPlugin, UserScorePlugin } from '../user-plugins.js';
import { enabledAt, gpuProfileOf, scoreWeight, userPluginsOf, type Profile } from '../profile.js';
import { FIRST_FIT, ROUND_ROBIN, UNIFORM_RANDOM } from '../plugins/placement-policies/index.js';
import { GPU_SCORE_PLUGINS, OPEN_GPU_SHARE } from '../plugins/gpu-plugins.js';
import type { FilterPlugin, ScorePlugin, WeightedScore } from './plugin.js';
import { NODE_VOLUME_LIMITS, VOLUME_BINDING, VOLUME_RESTRICTIONS, VOLUME_ZONE } from './rejectors.js';

export interface ProfilePlugins {
  /** Enabled Filter plugins (each with its PreFilter), in the order they run. */
  readonly filters: readonly FilterPlugin[];
  /** Enabled Score plugins with a weight > 0, in the order they run. */
  readonly scores: readonly WeightedScore[];
  // The instances the fused kernel specialises (null when the plugin is not enabled at that point).
  readonly unschedulable: NodeUnschedulablePlugin | null;
  readonly taints: TaintTolerationPlugin | null;
  readonly affinity: NodeAffinityPlugin | null;
  readonly ports: NodePortsPlugin | null;
  readonly fit: NodeResourcesFitPlugin | null;
  readonly spread: PodTopologySpreadPlugin | null;
  /** PodTopologySpread enabled at Filter or Score (its constraints decide the cycle's modeled cost). */
  readonly spreadAny: PodTopologySpreadPlugin | null;
  readonly interPod: InterPodAffinityPlugin | null;
  readonly gpu: OpenGpuSharePlugin | null;
  /** InterPodAffinity and PodTopologySpread at Score (their PreScore scans make the cycle's modeled cost). */
  readonly interPodScore: InterPodAffinityPlugin | null;
  readonly spreadScore: PodTopologySpreadPlugin | null;
  /** NodeResourcesFit and BalancedAllocation at Score (the fused kernel computes them together). */
  readonly fitScore: NodeResourcesFitPlugin | null;
  readonly balancedScore: BalancedAllocationPlugin | null;
  /** The GPU plugins' shared state (Reserve, FGD's workload), or null for a GPU-less profile. */
  readonly gpuShare: GpuShare | null;
}

/** The instance of each registered plugin kubesim models, by name, for a profile (filter and score roles share one). */
function instances(p: Profile, gpuShare: GpuShare | null): Map<string, FilterPlugin | ScorePlugin> {
  const a = p.args;
  const on = (name: string): boolean => enabledAt(p, 'filter', name) || enabledAt(p, 'score', name);
  const out = new Map<string, FilterPlugin | ScorePlugin>();
  const put = (name: string, make: () => FilterPlugin | ScorePlugin): void => {
    if (on(name)) out.set(name, make());
  };
  put('NodeUnschedulable', () => new NodeUnschedulablePlugin());
  put('TaintToleration', () => new TaintTolerationPlugin());
  put('NodeAffinity', () => new NodeAffinityPlugin(a.NodeAffinity.addedAffinity, enabledAt(p, 'preFilter', 'NodeAffinity')));
  put('NodePorts', () => new NodePortsPlugin());
  const fit = a.NodeResourcesFit;
  put('NodeResourcesFit', () => new NodeResourcesFitPlugin(fit.scoringStrategy, fit.ignoredResources, fit.ignoredResourceGroups));
  put('VolumeRestrictions', () => new VolumePlugin('VolumeRestrictions', VOLUME_RESTRICTIONS));
  put('NodeVolumeLimits', () => new VolumePlugin('NodeVolumeLimits', NODE_VOLUME_LIMITS));
  put('VolumeBinding', () => new VolumePlugin('VolumeBinding', VOLUME_BINDING));
  put('VolumeZone', () => new VolumePlugin('VolumeZone', VOLUME_ZONE));
  put('PodTopologySpread', () => new PodTopologySpreadPlugin(a.PodTopologySpread));
  const ipa = a.InterPodAffinity;
  put('InterPodAffinity', () => new InterPodAffinityPlugin(ipa.hardPodAffinityWeight, ipa.ignorePreferredTermsOfExistingPods));
  put('DynamicResources', () => new DynamicResourcesPlugin());
  put('NodeResourcesBalancedAllocation', () => new BalancedAllocationPlugin(a.NodeResourcesBalancedAllocation.resources));
  put('ImageLocality', () => new ImageLocalityPlugin());
  put(FIRST_FIT, () => new FirstFitPlugin());
  put(ROUND_ROBIN, () => new RoundRobinPlugin());
  put(UNIFORM_RANDOM, () => new UniformRandomPlugin());
  if (gpuShare !== null) {
    put(OPEN_GPU_SHARE, () => new OpenGpuSharePlugin(gpuShare));
    for (const name of GPU_SCORE_PLUGINS) put(name, () => new GpuScorePlugin(name, gpuShare));
  }
  return out;
}

const isFilter = (x: FilterPlugin | ScorePlugin | undefined): x is FilterPlugin => x !== undefined && 'filter' in x;
const isScore = (x: FilterPlugin | ScorePlugin | undefined): x is ScorePlugin => x !== undefined && 'score' in x;

/**
 * The enabled plugins in the order they run: Filter and Score plugins in the profile's order (the default
 * profile's is default_plugins.go's), the user's plugins (user-plugins.ts) in the same lists; plugins that do
 * nothing in kubesim's model (NodeName, DynamicResources, …) have no instance.
 */
export function profilePlugins(p: Profile): ProfilePlugins {
  const gpu = gpuProfileOf(p);
  const gpuShare = gpu === null ? null : new GpuShare(gpu);
  const byName = instances(p, gpuShare);
  const users = userPluginsOf(p);
  const filters: FilterPlugin[] = [];
  for (const name of p.plugins.filter) {
    const x = byName.get(name);
    if (isFilter(x)) filters.push(x);
    const u = users.find((v) => v.plugin.name === name);
    if (u !== undefined) filters.push(new UserFilterPlugin(u));
  }
  const scores: WeightedScore[] = [];
  for (const name of p.plugins.score) {
    const weight = scoreWeight(p, name);
    const x = byName.get(name);
    if (isScore(x)) scores.push({ plugin: x, weight });
    const u = users.find((v) => v.plugin.name === name);
    if (u !== undefined) scores.push({ plugin: new UserScorePlugin(u), weight });
  }
  const filterOf = <T>(name: string): T | null => (enabledAt(p, 'filter', name) ? ((byName.get(name) as T | undefined) ?? null) : null);
  const scoreOf = <T>(name: string): T | null => (enabledAt(p, 'score', name) ? ((byName.get(name) as T | undefined) ?? null) : null);
  return {
    filters,
    scores,
    unschedulable: filterOf<NodeUnschedulablePlugin>('NodeUnschedulable'),
    taints: filterOf<TaintTolerationPlugin>('TaintToleration'),
    affinity: filterOf<NodeAffinityPlugin>('NodeAffinity'),
    ports: filterOf<NodePortsPlugin>('NodePorts'),
    fit: filterOf<NodeResourcesFitPlugin>('NodeResourcesFit'),
    spread: filterOf<PodTopologySpreadPlugin>('PodTopologySpread'),
    spreadAny: (byName.get('PodTopologySpread') as PodTopologySpreadPlugin | undefined) ?? null,
    interPod: filterOf<InterPodAffinityPlugin>('InterPodAffinity'),
    gpu: filterOf<OpenGpuSharePlugin>(OPEN_GPU_SHARE),
    interPodScore: scoreOf<InterPodAffinityPlugin>('InterPodAffinity'),
    spreadScore: scoreOf<PodTopologySpreadPlugin>('PodTopologySpread'),
    fitScore: scoreOf<NodeResourcesFitPlugin>('NodeResourcesFit'),
    balancedScore: scoreOf<BalancedAllocationPlugin>('NodeResourcesBalancedAllocation'),
    gpuShare,
  };
}
