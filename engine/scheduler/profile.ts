/**
 * A scheduling profile compiled from a KubeSchedulerConfiguration profile: which modeled plugins run at which
 * extension point, their weights and arguments, as plain data. The fused kernel (kernel.ts) reads it.
 */
import type { NodeAffinity } from '../api/objects.js';
import { DEFAULT_SCORING_STRATEGY, type ResourceSpec, type ScoringStrategy } from './plugins/node-resources-fit.js';
import { DEFAULT_HARD_POD_AFFINITY_WEIGHT } from './plugins/inter-pod-affinity.js';
import { SYSTEM_DEFAULTS, type SpreadDefaults } from './plugins/pod-topology-spread.js';
import { DEFAULT_PREEMPTION_ARGS, type PreemptionArgs } from './plugins/default-preemption.js';
import type { GpuProfile } from './plugins/open-gpu-share/index.js';
import type { UserPluginUse } from './user-plugins.js';
import type { GangProfile } from './plugins/coscheduling.js';

export interface Profile {
  readonly schedulerName: string;
  /** 0 = upstream's adaptive default (schedule_one.go numFeasibleNodesToFind). */
  readonly percentageOfNodesToScore: number;
  readonly filters: {
    readonly nodeUnschedulable: boolean;
    readonly taintToleration: boolean;
    readonly nodeAffinity: boolean;
    readonly nodePorts: boolean;
    readonly nodeResourcesFit: boolean;
    readonly podTopologySpread: boolean;
    readonly interPodAffinity: boolean;
    /** VolumeRestrictions, VolumeBinding and VolumeZone (plugins/volume-binding.ts); they act only on pods with claims. */
    readonly volumeRestrictions: boolean;
    readonly volumeBinding: boolean;
    readonly volumeZone: boolean;
    /** NodeVolumeLimits (csi.go): acts only on pods with claims whose CSI driver a CSINode limits. */
    readonly nodeVolumeLimits: boolean;
  };
  /** NodeAffinity at PreFilter: its metadata.name restriction of the nodes searched. */
  readonly nodeAffinityPreFilter: boolean;
  /** Score weight of NodeResourcesFit; 0 when its Score is disabled. */
  readonly fitWeight: number;
  readonly fitStrategy: ScoringStrategy;
  /** NodeResourcesFitArgs.ignoredResources / ignoredResourceGroups (Filter only); empty by default. */
  readonly fitIgnoredResources: readonly string[];
  readonly fitIgnoredResourceGroups: readonly string[];
  /** Score weight of NodeResourcesBalancedAllocation; 0 when disabled. */
  readonly balancedWeight: number;
  readonly balancedResources: readonly ResourceSpec[];
  /** Score weights of TaintToleration, NodeAffinity and ImageLocality; 0 when disabled. */
  readonly taintWeight: number;
  readonly affinityWeight: number;
  readonly imageWeight: number;
  /** NodeAffinityArgs.addedAffinity: applied to every pod of the profile. */
  readonly addedAffinity: NodeAffinity | undefined;
  /** Score weight of PodTopologySpread (0 = disabled) and its PodTopologySpreadArgs defaults. */
  readonly spreadWeight: number;
  readonly spreadDefaults: SpreadDefaults;
  /** Score weight of InterPodAffinity (0 = disabled) and its InterPodAffinityArgs. */
  readonly interPodAffinityWeight: number;
  readonly hardPodAffinityWeight: number;
  readonly ignorePreferredTermsOfExistingPods: boolean;
  /** DefaultPreemption at PostFilter: its args, or null when disabled. */
  readonly preemption: PreemptionArgs | null;
  /** Score weights of the placement policies beyond upstream (plugins/placement-policies.ts); 0 = disabled. */
  readonly firstFitWeight: number;
  readonly roundRobinWeight: number;
  readonly uniformRandomWeight: number;
  /** Plugins from a user's module (user-plugins.ts; a call per node), in configuration order. */
  readonly userPlugins: readonly UserPluginUse[];
  /** The GPU plugins (Open-Gpu-Share, FGDScore, …: kernel's GPU block, plugins/open-gpu-share); absent when none is enabled. */
  readonly gpu?: GpuProfile | undefined;
  /** scheduler-plugins' Coscheduling (gang scheduling, plugins/coscheduling.ts) with its args; null when disabled. */
  readonly gang: GangProfile | null;
}

/** The upstream default profile restricted to the plugins kubesim models (default_plugins.go weights). */
export const DEFAULT_PROFILE: Profile = {
  schedulerName: 'default-scheduler',
  percentageOfNodesToScore: 0,
  filters: {
    nodeUnschedulable: true,
    taintToleration: true,
    nodeAffinity: true,
    nodePorts: true,
    nodeResourcesFit: true,
    podTopologySpread: true,
    interPodAffinity: true,
    volumeRestrictions: true,
    volumeBinding: true,
    volumeZone: true,
    nodeVolumeLimits: true,
  },
  nodeAffinityPreFilter: true,
  fitWeight: 1,
  fitStrategy: DEFAULT_SCORING_STRATEGY,
  fitIgnoredResources: [],
  fitIgnoredResourceGroups: [],
  balancedWeight: 1,
  balancedResources: [
    { name: 'cpu', weight: 1 },
    { name: 'memory', weight: 1 },
  ],
  taintWeight: 3,
  affinityWeight: 2,
  imageWeight: 1,
  addedAffinity: undefined,
  spreadWeight: 2,
  spreadDefaults: SYSTEM_DEFAULTS,
  interPodAffinityWeight: 2,
  hardPodAffinityWeight: DEFAULT_HARD_POD_AFFINITY_WEIGHT,
  ignorePreferredTermsOfExistingPods: false,
  preemption: DEFAULT_PREEMPTION_ARGS,
  firstFitWeight: 0,
  roundRobinWeight: 0,
  uniformRandomWeight: 0,
  userPlugins: [],
  gpu: undefined,
  gang: null,
};

export function hasScorePlugins(p: Profile): boolean {
  return (
    p.fitWeight > 0 ||
    p.balancedWeight > 0 ||
    p.taintWeight > 0 ||
    p.affinityWeight > 0 ||
    p.imageWeight > 0 ||
    p.spreadWeight > 0 ||
    p.interPodAffinityWeight > 0 ||
    p.firstFitWeight > 0 ||
    p.roundRobinWeight > 0 ||
    p.uniformRandomWeight > 0 ||
    p.userPlugins.some((u) => u.weight > 0) ||
    (p.gpu?.scores.length ?? 0) > 0
  );
}
