/**
 * The plugin registry: every plugin a KubeSchedulerConfiguration may name, in one table (upstream's in-tree
 * registry, framework/plugins/registry.go, plus scheduler-plugins' Coscheduling, the FGD study's GPU plugins and
 * kubesim's placement policies), and the default profile's plugin set (default_plugins.go). Each modeled
 * plugin's entry lives in its folder (plugins/<name>/args.ts); profile-plugins.ts turns a profile's enabled
 * names into instances; a user's plugins (user-plugins.ts) are looked up beside it by name.
 */
import { descriptor as balanced } from '../plugins/node-resources-balanced-allocation/args.js';
import { descriptor as coscheduling } from '../plugins/coscheduling/args.js';
import { descriptor as dynamicResources } from '../plugins/dynamic-resources/args.js';
import { descriptor as preemption } from '../plugins/default-preemption/args.js';
import { descriptor as interPod } from '../plugins/inter-pod-affinity/args.js';
import { descriptor as nodeAffinity } from '../plugins/node-affinity/args.js';
import { descriptor as fit } from '../plugins/node-resources-fit/args.js';
import { descriptor as spread } from '../plugins/pod-topology-spread/args.js';
import { gpuScoreDescriptors, gpuShareDescriptor } from '../plugins/open-gpu-share/args.js';
import { NAME as IMAGE_LOCALITY } from '../plugins/image-locality/index.js';
import { NAME as NODE_PORTS_NAME } from '../plugins/node-ports/index.js';
import { NAME as NODE_UNSCHEDULABLE_NAME } from '../plugins/node-unschedulable/index.js';
import { NAME as TAINT_TOLERATION_NAME } from '../plugins/taint-toleration/index.js';
import { FIRST_FIT, ROUND_ROBIN, UNIFORM_RANDOM } from '../plugins/placement-policies/index.js';
import {
  NODE_PORTS,
  NODE_UNSCHEDULABLE,
  NODE_VOLUME_LIMITS,
  TAINT_TOLERATION,
  VOLUME_BINDING,
  VOLUME_RESTRICTIONS,
  VOLUME_ZONE,
} from './rejectors.js';
import { events as unschedulableEvents } from '../plugins/node-unschedulable/events.js';
import { events as taintEvents } from '../plugins/taint-toleration/events.js';
import { events as portsEvents } from '../plugins/node-ports/events.js';
import {
  nodeVolumeLimitsEvents,
  volumeBindingEvents,
  volumeRestrictionsEvents,
  volumeZoneEvents,
} from '../plugins/volume-binding/events.js';
import { ALL } from './cluster-events.js';
import { reg, type Registration } from './hint-types.js';
import { plugin, type PluginDescriptor } from './registry-types.js';

const DESCRIPTORS: readonly PluginDescriptor[] = [
  plugin('SchedulingGates', ['preEnqueue'], 'modeled'),
  plugin('PrioritySort', ['queueSort'], 'modeled'),
  plugin(NODE_UNSCHEDULABLE_NAME, ['filter'], 'modeled', { bit: NODE_UNSCHEDULABLE, events: unschedulableEvents }),
  // NodeName: the API server's binding of spec.nodeName pods skips the scheduler, so its Filter never rejects.
  plugin('NodeName', ['filter'], 'modeled'),
  plugin(TAINT_TOLERATION_NAME, ['filter', 'preScore', 'score'], 'modeled', { bit: TAINT_TOLERATION, events: taintEvents }),
  nodeAffinity,
  plugin(NODE_PORTS_NAME, ['preFilter', 'filter'], 'modeled', { bit: NODE_PORTS, events: portsEvents }),
  fit,
  plugin('VolumeRestrictions', ['preFilter', 'filter'], 'modeled', { bit: VOLUME_RESTRICTIONS, events: volumeRestrictionsEvents }),
  plugin('NodeVolumeLimits', ['preFilter', 'filter'], 'modeled', { bit: NODE_VOLUME_LIMITS, events: nodeVolumeLimitsEvents }),
  // VolumeBindingArgs (bindTimeoutSeconds, shape) are not modeled: PreBind waits for the PV controller.
  plugin(
    'VolumeBinding',
    ['preFilter', 'filter', 'reserve', 'preBind', 'score'],
    'modeled',
    { bit: VOLUME_BINDING, events: volumeBindingEvents },
    true,
  ),
  plugin('VolumeZone', ['preFilter', 'filter'], 'modeled', { bit: VOLUME_ZONE, events: volumeZoneEvents }),
  spread,
  interPod,
  // Dynamic Resource Allocation (plugins/dynamic-resources/; PostFilter not modeled: docs/model/dynamic-resources.md).
  dynamicResources,
  preemption,
  balanced,
  plugin(IMAGE_LOCALITY, ['score'], 'modeled'),
  plugin('DefaultBinder', ['bind'], 'modeled'),
  gpuShareDescriptor,
  ...gpuScoreDescriptors,
  plugin(FIRST_FIT, ['score'], 'modeled'),
  plugin(ROUND_ROBIN, ['score'], 'modeled'),
  plugin(UNIFORM_RANDOM, ['score'], 'modeled'),
  coscheduling,
];

const BY_NAME = new Map(DESCRIPTORS.map((d) => [d.name, d]));

/** The registry entry of a plugin kubesim knows, or undefined (a user plugin, or an unknown name). */
export function pluginDescriptor(name: string): PluginDescriptor | undefined {
  return BY_NAME.get(name);
}

/** Every registered plugin name, in registry order. */
export const PLUGIN_NAMES: readonly string[] = DESCRIPTORS.map((d) => d.name);

/** default_plugins.go getDefaultPlugins: the multiPoint plugins in order, with their score weights (v1.36). */
export const DEFAULT_PLUGINS: readonly { readonly name: string; readonly weight: number }[] = [
  { name: 'SchedulingGates', weight: 0 },
  { name: 'PrioritySort', weight: 0 },
  { name: 'NodeUnschedulable', weight: 0 },
  { name: 'NodeName', weight: 0 },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts', weight: 0 },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'VolumeRestrictions', weight: 0 },
  { name: 'NodeVolumeLimits', weight: 0 },
  { name: 'VolumeBinding', weight: 0 },
  { name: 'VolumeZone', weight: 0 },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DynamicResources', weight: 0 },
  { name: 'DefaultPreemption', weight: 0 },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultBinder', weight: 0 },
];

const ALL_EVENTS: readonly Registration[] = [reg('*', ALL, 'AllEvents', null)];

/** The EventsToRegister of the plugin with this rejector bit; every event for a plugin without EnqueueExtensions. */
export function registrationsOf(bit: number, hints: boolean): readonly Registration[] {
  for (const d of DESCRIPTORS) if (d.bit === bit && d.events !== undefined) return d.events(hints);
  return ALL_EVENTS;
}
