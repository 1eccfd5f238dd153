/**
 * A profile's enabled plugins as instances (framework/plugin.ts), in the order the framework runs them:
 * Filter and Score plugins in the default profile's order (default_plugins.go), then kubesim's placement
 * policies, the user's and the GPU plugins: one fixed order, so that the plugins that draw from the scheduler's
 * stream (UniformRandom, the GPU RandomScore) draw in the same order in every path. Both the fused kernel (kernel.ts) and the plugin-by-plugin
 * runtime (runtime.ts) run these instances.
 */
import { GpuShare } from '../gpu-share.js';
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
import type { Profile } from '../profile.js';
import type { FilterPlugin, WeightedScore } from './plugin.js';
import { NODE_VOLUME_LIMITS, VOLUME_BINDING, VOLUME_RESTRICTIONS, VOLUME_ZONE } from './queueing-hints.js';

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
  /** NodeResourcesFit and BalancedAllocation at Score (the fused kernel computes them together). */
  readonly fitScore: NodeResourcesFitPlugin | null;
  readonly balancedScore: BalancedAllocationPlugin | null;
  /** The GPU plugins' shared state (Reserve, FGD's workload), or null for a GPU-less profile. */
  readonly gpuShare: GpuShare | null;
}

export function profilePlugins(p: Profile): ProfilePlugins {
  const f = p.filters;
  const fitOn = f.nodeResourcesFit || p.fitWeight > 0;
  const fit = fitOn ? new NodeResourcesFitPlugin(p.fitStrategy, p.fitIgnoredResources, p.fitIgnoredResourceGroups) : null;
  const taints = f.taintToleration || p.taintWeight > 0 ? new TaintTolerationPlugin() : null;
  const affinity = f.nodeAffinity || p.affinityWeight > 0 ? new NodeAffinityPlugin(p.addedAffinity, p.nodeAffinityPreFilter) : null;
  const spread = f.podTopologySpread || p.spreadWeight > 0 ? new PodTopologySpreadPlugin(p.spreadDefaults) : null;
  const interPod =
    f.interPodAffinity || p.interPodAffinityWeight > 0
      ? new InterPodAffinityPlugin(p.hardPodAffinityWeight, p.ignorePreferredTermsOfExistingPods)
      : null;
  const gpuShare = p.gpu === undefined ? null : new GpuShare(p.gpu);
  const unschedulable = f.nodeUnschedulable ? new NodeUnschedulablePlugin() : null;
  const ports = f.nodePorts ? new NodePortsPlugin() : null;
  const gpu = gpuShare !== null && p.gpu?.gpuFilter === true ? new OpenGpuSharePlugin(gpuShare) : null;

  const filters: FilterPlugin[] = [];
  const add = (on: boolean, plugin: FilterPlugin | null): void => {
    if (on && plugin !== null) filters.push(plugin);
  };
  add(true, unschedulable);
  add(f.taintToleration, taints);
  add(f.nodeAffinity, affinity);
  add(f.nodePorts, ports);
  add(f.nodeResourcesFit, fit);
  add(f.volumeRestrictions, new VolumePlugin('VolumeRestrictions', VOLUME_RESTRICTIONS));
  add(f.nodeVolumeLimits, new VolumePlugin('NodeVolumeLimits', NODE_VOLUME_LIMITS));
  add(f.volumeBinding, new VolumePlugin('VolumeBinding', VOLUME_BINDING));
  add(f.volumeZone, new VolumePlugin('VolumeZone', VOLUME_ZONE));
  add(f.podTopologySpread, spread);
  add(f.interPodAffinity, interPod);
  add(f.dynamicResources, new DynamicResourcesPlugin());
  add(true, gpu);
  for (const u of p.userPlugins) if (u.filter) filters.push(new UserFilterPlugin(u));

  const scores: WeightedScore[] = [];
  const score = (weight: number, plugin: WeightedScore['plugin'] | null): void => {
    if (weight > 0 && plugin !== null) scores.push({ plugin, weight });
  };
  const fitScore = p.fitWeight > 0 ? fit : null;
  const balancedScore = p.balancedWeight > 0 ? new BalancedAllocationPlugin(p.balancedResources) : null;
  score(p.taintWeight, taints);
  score(p.affinityWeight, affinity);
  score(p.fitWeight, fitScore);
  score(p.spreadWeight, spread);
  score(p.interPodAffinityWeight, interPod);
  score(p.balancedWeight, balancedScore);
  score(p.imageWeight, new ImageLocalityPlugin());
  score(p.firstFitWeight, new FirstFitPlugin());
  score(p.roundRobinWeight, new RoundRobinPlugin());
  score(p.uniformRandomWeight, new UniformRandomPlugin());
  for (const u of p.userPlugins) score(u.weight, new UserScorePlugin(u));
  if (gpuShare !== null) for (const s of p.gpu?.scores ?? []) score(s.weight, new GpuScorePlugin(s.name, gpuShare));

  return {
    filters,
    scores,
    unschedulable,
    taints: f.taintToleration ? taints : null,
    affinity: f.nodeAffinity ? affinity : null,
    ports,
    fit: f.nodeResourcesFit ? fit : null,
    spread: f.podTopologySpread ? spread : null,
    spreadAny: spread,
    interPod: f.interPodAffinity ? interPod : null,
    gpu,
    fitScore,
    balancedScore,
    gpuShare,
  };
}
