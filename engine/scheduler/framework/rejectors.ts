/**
 * The rejector bits: one per plugin that can reject a pod, so a pod's UnschedulablePlugins set is one number
 * (QueuedPodInfo.UnschedulablePlugins). Each plugin's registry entry (framework/registry.ts) carries its bit, and its
 * EventsToRegister are looked up by it.
 */
/** Bits of a pod's rejector set (QueuedPodInfo.UnschedulablePlugins), one per modeled filter plugin. */
export const NODE_UNSCHEDULABLE = 1 << 0;
export const TAINT_TOLERATION = 1 << 1;
export const NODE_AFFINITY = 1 << 2;
export const NODE_PORTS = 1 << 3;
export const NODE_RESOURCES_FIT = 1 << 4;
export const POD_TOPOLOGY_SPREAD = 1 << 5;
export const INTER_POD_AFFINITY = 1 << 6;
/** Open-Gpu-Share (filter and reserve). */
export const GPU_SHARE = 1 << 7;
/** Any plugin from a --plugin-module. */
export const USER_PLUGIN = 1 << 8;
/** scheduler-plugins' Coscheduling (PreFilter, Permit, PostFilter). */
export const COSCHEDULING = 1 << 9;
/** The volume plugins (plugins/volume-binding/). */
export const VOLUME_BINDING = 1 << 10;
export const VOLUME_ZONE = 1 << 11;
export const VOLUME_RESTRICTIONS = 1 << 12;
export const NODE_VOLUME_LIMITS = 1 << 13;
/** DynamicResources (plugins/dynamic-resources/). */
export const DYNAMIC_RESOURCES = 1 << 14;
/** The highest rejector bit. */
export const LAST_PLUGIN = DYNAMIC_RESOURCES;

export const PLUGIN_NAMES: Readonly<Record<number, string>> = {
  [NODE_UNSCHEDULABLE]: 'NodeUnschedulable',
  [TAINT_TOLERATION]: 'TaintToleration',
  [NODE_AFFINITY]: 'NodeAffinity',
  [NODE_PORTS]: 'NodePorts',
  [NODE_RESOURCES_FIT]: 'NodeResourcesFit',
  [POD_TOPOLOGY_SPREAD]: 'PodTopologySpread',
  [INTER_POD_AFFINITY]: 'InterPodAffinity',
  [GPU_SHARE]: 'Open-Gpu-Share',
  [USER_PLUGIN]: '(plugin module)',
  [COSCHEDULING]: 'Coscheduling',
  [VOLUME_BINDING]: 'VolumeBinding',
  [VOLUME_ZONE]: 'VolumeZone',
  [VOLUME_RESTRICTIONS]: 'VolumeRestrictions',
  [NODE_VOLUME_LIMITS]: 'NodeVolumeLimits',
  [DYNAMIC_RESOURCES]: 'DynamicResources',
};

/** The names of the plugins in a rejector set, in bit order. */
export function pluginNames(mask: number): string[] {
  const out: string[] = [];
  for (let b = 1; b <= LAST_PLUGIN; b <<= 1) if ((mask & b) !== 0) out.push(PLUGIN_NAMES[b]);
  return out;
}
