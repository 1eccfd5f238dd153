/**
 * A scheduling profile as plain data, as a KubeSchedulerConfiguration profile resolves (config/v1
 * KubeSchedulerProfile after default_plugins.go mergePlugins): the enabled plugins at each extension point in
 * the order they run, the score weights, and every plugin's args (defaults filled in). The registry
 * (framework/registry.ts) knows each plugin; framework/profile-plugins.ts instantiates the enabled ones.
 */
import type { ExtensionPoint } from './framework/registry-types.js';
import { EXTENSION_POINTS } from './framework/registry-types.js';
import { DEFAULT_PLUGINS, pluginDescriptor } from './framework/registry.js';
import type { FitArgs } from './plugins/node-resources-fit/args.js';
import type { BalancedArgs } from './plugins/node-resources-balanced-allocation/args.js';
import type { NodeAffinityArgs } from './plugins/node-affinity/args.js';
import type { SpreadDefaults } from './plugins/pod-topology-spread/index.js';
import type { InterPodAffinityArgs } from './plugins/inter-pod-affinity/args.js';
import type { PreemptionArgs } from './plugins/default-preemption/index.js';
import type { CoschedulingArgs, GangProfile } from './plugins/coscheduling/index.js';
import { NAME as COSCHEDULING } from './plugins/coscheduling/index.js';
import type { GpuShareArgs } from './plugins/open-gpu-share/args.js';
import { GPU_SCORE_PLUGINS, OPEN_GPU_SHARE, type GpuProfile } from './plugins/gpu-plugins.js';
import { userPlugin, type UserPluginUse } from './user-plugins.js';

/** The args of the plugins that take some, by plugin name. */
export interface PluginArgs {
  readonly NodeResourcesFit: FitArgs;
  readonly NodeResourcesBalancedAllocation: BalancedArgs;
  readonly NodeAffinity: NodeAffinityArgs;
  readonly PodTopologySpread: SpreadDefaults;
  readonly InterPodAffinity: InterPodAffinityArgs;
  readonly DefaultPreemption: PreemptionArgs;
  readonly Coscheduling: CoschedulingArgs;
  readonly 'Open-Gpu-Share': GpuShareArgs;
}

export type PluginSet = Readonly<Record<ExtensionPoint, readonly string[]>>;

export interface Profile {
  readonly schedulerName: string;
  /** 0 = upstream's adaptive default (schedule_one.go numFeasibleNodesToFind). */
  readonly percentageOfNodesToScore: number;
  /** The enabled plugins at each extension point, in the order they run. */
  readonly plugins: PluginSet;
  /** The weight of each plugin enabled at score (≥ 1). */
  readonly weights: Readonly<Record<string, number>>;
  readonly args: PluginArgs;
}

function defaultArgs(): PluginArgs {
  const out: Record<string, unknown> = {};
  for (const name of ARG_PLUGINS) out[name] = pluginDescriptor(name)?.args?.defaults;
  return out as unknown as PluginArgs;
}

const ARG_PLUGINS: readonly (keyof PluginArgs)[] = [
  'NodeResourcesFit',
  'NodeResourcesBalancedAllocation',
  'NodeAffinity',
  'PodTopologySpread',
  'InterPodAffinity',
  'DefaultPreemption',
  'Coscheduling',
  'Open-Gpu-Share',
];

/** Every plugin's default args (SetDefaults_*Args). */
export const DEFAULT_ARGS: PluginArgs = defaultArgs();

function defaultPlugins(): { plugins: PluginSet; weights: Record<string, number> } {
  const at: Record<string, string[]> = Object.fromEntries(EXTENSION_POINTS.map((p) => [p, []]));
  const weights: Record<string, number> = {};
  for (const d of DEFAULT_PLUGINS) {
    for (const p of pluginDescriptor(d.name)?.points ?? []) at[p].push(d.name);
    if (d.weight > 0) weights[d.name] = d.weight;
  }
  return { plugins: at as unknown as PluginSet, weights };
}

/** The upstream default profile (default_plugins.go, v1.36). */
export const DEFAULT_PROFILE: Profile = {
  schedulerName: 'default-scheduler',
  percentageOfNodesToScore: 0,
  ...defaultPlugins(),
  args: DEFAULT_ARGS,
};

export function enabledAt(p: Profile, point: ExtensionPoint, name: string): boolean {
  return p.plugins[point].includes(name);
}

/** The score weight of a plugin; 0 when it is not enabled at score. */
export function scoreWeight(p: Profile, name: string): number {
  return p.plugins.score.includes(name) ? (p.weights[name] ?? 1) : 0;
}

/** DefaultPreemption's args when it is enabled at postFilter, else null. */
export function preemptionOf(p: Profile): PreemptionArgs | null {
  return enabledAt(p, 'postFilter', 'DefaultPreemption') ? p.args.DefaultPreemption : null;
}

/** Coscheduling in the profile (queueSort, permit and reserve; PreFilter and PostFilter optional), or null. */
export function gangOf(p: Profile): GangProfile | null {
  if (!enabledAt(p, 'queueSort', COSCHEDULING)) return null;
  return {
    ...p.args.Coscheduling,
    preFilter: enabledAt(p, 'preFilter', COSCHEDULING),
    postFilter: enabledAt(p, 'postFilter', COSCHEDULING),
  };
}

/** The user plugins enabled at filter or score, in configuration order (filter list first). */
export function userPluginsOf(p: Profile): UserPluginUse[] {
  const out: UserPluginUse[] = [];
  for (const name of [...p.plugins.filter, ...p.plugins.score]) {
    const plugin = userPlugin(name);
    if (plugin === undefined || out.some((u) => u.plugin.name === name)) continue;
    out.push({ plugin, filter: p.plugins.filter.includes(name), weight: scoreWeight(p, name) });
  }
  return out;
}

/** The profile's GPU plugins as the GPU code reads them (Open-Gpu-Share at filter, the GPU score plugins). */
export function gpuPluginsOf(p: Profile): GpuProfile {
  const scores = GPU_SCORE_PLUGINS.filter((n) => p.plugins.score.includes(n)).map((name) => ({ name, weight: scoreWeight(p, name) }));
  return {
    schedulerName: p.schedulerName,
    percentageOfNodesToScore: p.percentageOfNodesToScore,
    gpuFilter: enabledAt(p, 'filter', OPEN_GPU_SHARE),
    fitFilter: enabledAt(p, 'filter', 'NodeResourcesFit'),
    scores,
    otherScores: p.plugins.score.filter((n) => !(GPU_SCORE_PLUGINS as readonly string[]).includes(n)),
    gpuSelMethod: p.args['Open-Gpu-Share'].gpuSelMethod,
  };
}

const gpuMemo = new WeakMap<Profile, GpuProfile | null>();

/** The profile's GPU plugins, or null when none is enabled (a GPU-less profile). */
export function gpuProfileOf(p: Profile): GpuProfile | null {
  let hit = gpuMemo.get(p);
  if (hit === undefined) {
    const g = gpuPluginsOf(p);
    hit = g.gpuFilter || g.scores.length > 0 ? g : null;
    gpuMemo.set(p, hit);
  }
  return hit;
}

/** A change to a profile, as a test or a library user writes it. */
export interface ProfileEdit {
  readonly schedulerName?: string;
  readonly percentageOfNodesToScore?: number;
  /** Score weights; 0 disables the plugin at score, a new name enables it there. */
  readonly weights?: Readonly<Record<string, number>>;
  /** Plugins to disable at the given points (every point when `points` is omitted). */
  readonly disable?: readonly { readonly name: string; readonly points?: readonly ExtensionPoint[] }[];
  /** Plugins to enable at the given points (every point of the plugin when omitted), appended in run order. */
  readonly enable?: readonly { readonly name: string; readonly points?: readonly ExtensionPoint[] }[];
  readonly args?: Partial<PluginArgs>;
}

/** A copy of `base` with the edit applied (what a KubeSchedulerConfiguration's enabled/disabled lists do). */
export function editProfile(base: Profile, e: ProfileEdit): Profile {
  const names = [...Object.keys(e.weights ?? {}), ...(e.enable ?? []).map((x) => x.name), ...(e.disable ?? []).map((x) => x.name)];
  for (const name of names)
    if (pluginDescriptor(name) === undefined && userPlugin(name) === undefined) throw new Error(`editProfile: unknown plugin "${name}"`);
  const at: Record<string, string[]> = Object.fromEntries(EXTENSION_POINTS.map((p) => [p, [...base.plugins[p]]]));
  const weights: Record<string, number> = { ...base.weights };
  for (const d of e.disable ?? []) for (const p of d.points ?? EXTENSION_POINTS) at[p] = at[p].filter((n) => n !== d.name);
  for (const en of e.enable ?? []) {
    const points = en.points ?? pluginDescriptor(en.name)?.points ?? [];
    for (const p of points) if (!at[p].includes(en.name)) at[p].push(en.name);
  }
  for (const [name, w] of Object.entries(e.weights ?? {})) {
    if (w === 0) {
      at.score = at.score.filter((n) => n !== name);
      delete weights[name];
    } else {
      if (!at.score.includes(name)) at.score.push(name);
      weights[name] = w;
    }
  }
  return {
    schedulerName: e.schedulerName ?? base.schedulerName,
    percentageOfNodesToScore: e.percentageOfNodesToScore ?? base.percentageOfNodesToScore,
    plugins: at as unknown as PluginSet,
    weights,
    args: { ...base.args, ...(e.args ?? {}) },
  };
}
