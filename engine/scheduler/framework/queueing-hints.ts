/**
 * Each modeled filter plugin's EventsToRegister and QueueingHintFn (pkg/scheduler/framework/plugins/*: the
 * plugin's EventsToRegister and isSchedulableAfter* functions, v1.34): the cluster events that may make a pod the
 * plugin rejected schedulable, and, for each, whether this event for this pod is worth a retry (Queue) or not
 * (QueueSkip). The scheduling queue (scheduling-queue.ts) asks only the plugins that rejected the pod in its
 * last attempt (isPodWorthRequeuing).
 *
 * With the SchedulerQueueingHints feature gate off, plugins register their pre-hints event sets (wider: node
 * label/taint updates too, as upstream registers them for its preCheck) and every hint is Queue
 * (buildQueueingHintMap's defaultQueueingHintFn).
 *
 * Plugins kubesim runs that upstream does not know (Open-Gpu-Share, user plugins from --plugin-module) do not
 * implement EnqueueExtensions: upstream then registers every event with no hint (Queue), and so does kubesim.
 */
import type { Node, NodeAffinity, NodeSelectorRequirement, NodeSelectorTerm, Pod, ResourceClaim } from '../../api/objects.js';
import { claimNameOf } from '../../api/resource-claim.js';
import type { PodRequests } from '../../api/pod-resources.js';
import { CPU, EPHEMERAL_STORAGE, MEMORY } from '../../api/pod-resources.js';
import type { PodInput } from '../pod-input.js';
import { matchesAllTerms } from '../plugins/inter-pod-affinity/index.js';
import { hostPorts, type HostPort } from '../plugins/node-ports/index.js';
import { toleratesUnschedulable } from '../plugins/node-unschedulable/index.js';
import { podMatches } from '../pod-matcher.js';
import type { SpreadConstraint } from '../plugins/pod-topology-spread/index.js';
import { isHardEffect, toleratedByAny } from '../plugins/taint-toleration/index.js';
import {
  ADD,
  ALL,
  DELETE,
  UPDATE,
  UPDATE_NODE_ALLOCATABLE,
  UPDATE_NODE_LABEL,
  UPDATE_NODE_TAINT,
  UPDATE_POD_LABEL,
  UPDATE_POD_SCALE_DOWN,
  UPDATE_POD_TOLERATION,
  eventMatches,
  sameRecord,
  type ClusterEvent,
  type EventResource,
} from './cluster-events.js';

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

/** framework.QueueingHint */
export const QUEUE_SKIP = 0;
export const QUEUE = 1;

/** What a hint function knows of the rejected pod: the object and its cycle input (plus the profile's added affinity). */
export interface HintPod {
  readonly pod: Pod;
  readonly input: PodInput;
  /** The pod's DoNotSchedule constraints (its own, or the profile's defaults with DefaultSelector). */
  readonly spreadHard: readonly SpreadConstraint[];
  /** NodeAffinityArgs.addedAffinity of the pod's profile. */
  readonly addedAffinity: NodeAffinity | undefined;
}

type HintFn = (p: HintPod, old: unknown, neu: unknown) => number;

interface Registration {
  readonly event: ClusterEvent;
  readonly hint: HintFn | null;
}

const reg = (resource: EventResource, action: number, label: string, hint: HintFn | null): Registration => ({
  event: { resource, action, label },
  hint,
});

const asNode = (o: unknown): Node | undefined => o as Node | undefined;
const asPod = (o: unknown): Pod | undefined => o as Pod | undefined;

// ---- NodeUnschedulable (plugins/nodeunschedulable): Queue when a node becomes schedulable, or the pod now tolerates it.
const unschedulableAfterNode: HintFn = (_p, old, neu) => {
  const n = asNode(neu);
  if (n === undefined || n.spec.unschedulable) return QUEUE_SKIP;
  const o = asNode(old);
  return o === undefined || o.spec.unschedulable ? QUEUE : QUEUE_SKIP;
};
const unschedulableAfterToleration: HintFn = (p, _old, neu) => {
  const n = asPod(neu);
  return n !== undefined && n.metadata.uid === p.pod.metadata.uid && toleratesUnschedulable(n.spec.tolerations) ? QUEUE : QUEUE_SKIP;
};

// ---- TaintToleration (plugins/tainttoleration isSchedulableAfterNodeChange): the node went from untolerated to tolerated.
function untolerated(n: Node, p: HintPod): boolean {
  for (const t of n.spec.taints) if (isHardEffect(t.effect) && !toleratedByAny(p.input.tolerations, t)) return true;
  return false;
}
const taintsAfterNode: HintFn = (p, old, neu) => {
  const n = asNode(neu);
  if (n === undefined) return QUEUE_SKIP;
  const o = asNode(old);
  const was = o === undefined ? true : untolerated(o, p);
  return was && !untolerated(n, p) ? QUEUE : QUEUE_SKIP;
};
const taintsAfterToleration: HintFn = (p, _old, neu) => {
  const n = asPod(neu);
  return n !== undefined && n.metadata.uid === p.pod.metadata.uid ? QUEUE : QUEUE_SKIP;
};

// ---- NodeAffinity (plugins/nodeaffinity isSchedulableAfterNodeChange): the node now matches (and did not before).
const affinityAfterNode: HintFn = (p, old, neu) => {
  const n = asNode(neu);
  if (n === undefined || !nodeMatchesPod(n, p)) return QUEUE_SKIP;
  const o = asNode(old);
  return o === undefined || !nodeMatchesPod(o, p) ? QUEUE : QUEUE_SKIP;
};

// ---- NodePorts (plugins/nodeports isSchedulableAfterPodDeleted): a deleted assigned pod freed a port the pod wants.
const portsAfterPodDeleted: HintFn = (p, old, neu) => {
  const o = asPod(old);
  if (neu !== undefined || o === undefined || o.spec.nodeName === '') return QUEUE_SKIP;
  const freed = hostPorts(o.spec);
  for (const w of p.input.hostPorts) for (const f of freed) if (portsConflict(w, f)) return QUEUE;
  return QUEUE_SKIP;
};
function portsConflict(a: HostPort, b: HostPort): boolean {
  return a.port === b.port && a.protocol === b.protocol && (a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0');
}

// ---- NodeResourcesFit (plugins/noderesources/fit.go isSchedulableAfterPodEvent / isSchedulableAfterNodeChange).
const fitAfterPodEvent: HintFn = (_p, old, neu) => {
  const o = asPod(old);
  if (neu === undefined && o !== undefined) {
    // A deleted pod frees resources if it was on a node, or nominated to one.
    return o.spec.nodeName === '' && (o.status.nominatedNodeName ?? '') === '' ? QUEUE_SKIP : QUEUE;
  }
  // UpdatePodScaleDown: in-place resize is not modeled, so kubesim never raises it.
  return QUEUE_SKIP;
};
const fitAfterNode: HintFn = (p, old, neu) => {
  const n = asNode(neu);
  if (n === undefined || !fitsEmpty(p.input.requests, n)) return QUEUE_SKIP;
  const o = asNode(old);
  if (o === undefined) return QUEUE;
  return requestedAllocatableIncreased(p.input.requests, o, n) ? QUEUE : QUEUE_SKIP;
};
/** isFit: the pod fits the node's allocatable with no pod on it. */
function fitsEmpty(r: PodRequests, n: Node): boolean {
  const a = n.status.allocatable;
  if ((a.pods ?? 0) < 1) return false;
  if (r.cpu > (a[CPU] ?? 0) || r.memory > (a[MEMORY] ?? 0) || r.ephemeralStorage > (a[EPHEMERAL_STORAGE] ?? 0)) return false;
  for (const k in r.scalars) if (r.scalars[k] > (a[k] ?? 0)) return false;
  return true;
}
/** haveAnyRequestedResourcesIncreased: the pod count, or an allocatable the pod requests, grew. */
function requestedAllocatableIncreased(r: PodRequests, o: Node, n: Node): boolean {
  const a = o.status.allocatable;
  const b = n.status.allocatable;
  const grew = (k: string): boolean => (b[k] ?? 0) > (a[k] ?? 0);
  if (grew('pods')) return true;
  if ((r.cpu > 0 && grew(CPU)) || (r.memory > 0 && grew(MEMORY)) || (r.ephemeralStorage > 0 && grew(EPHEMERAL_STORAGE))) return true;
  for (const k in r.scalars) if (grew(k)) return true;
  return false;
}

// ---- PodTopologySpread (plugins/podtopologyspread/plugin.go isSchedulableAfterPodChange / isSchedulableAfterNodeChange).
function matchesSomeConstraint(p: HintPod, pod: Pod): boolean {
  for (const c of p.spreadHard) if (podMatches(c.matcher, pod.metadata.namespace, pod.metadata.labels)) return true;
  return false;
}
const spreadAfterPod: HintFn = (p, old, neu) => {
  const o = asPod(old);
  const n = asPod(neu);
  // Unscheduled pods do not count in any domain.
  if ((n !== undefined && n.spec.nodeName === '') || (o !== undefined && o.spec.nodeName === '')) return QUEUE_SKIP;
  if (o !== undefined && n !== undefined) {
    if (sameRecord(o.metadata.labels, n.metadata.labels)) return QUEUE_SKIP;
    return matchesSomeConstraint(p, o) || matchesSomeConstraint(p, n) ? QUEUE : QUEUE_SKIP;
  }
  const changed = n ?? o;
  return changed !== undefined && matchesSomeConstraint(p, changed) ? QUEUE : QUEUE_SKIP;
};
function hasAllTopologyKeys(n: Node, p: HintPod): boolean {
  for (const c of p.spreadHard) if (!Object.prototype.hasOwnProperty.call(n.metadata.labels, c.topologyKey)) return false;
  return true;
}
const spreadAfterNode: HintFn = (p, old, neu) => {
  const o = asNode(old);
  const n = asNode(neu);
  if (n === undefined) return o !== undefined && hasAllTopologyKeys(o, p) ? QUEUE : QUEUE_SKIP;
  if (o === undefined) return hasAllTopologyKeys(n, p) ? QUEUE : QUEUE_SKIP;
  if (!hasAllTopologyKeys(o, p) && !hasAllTopologyKeys(n, p)) return QUEUE_SKIP;
  for (const c of p.spreadHard) if (o.metadata.labels[c.topologyKey] !== n.metadata.labels[c.topologyKey]) return QUEUE;
  // Taints matter to a constraint with nodeTaintsPolicy Honor.
  if (o.spec.taints !== n.spec.taints && p.spreadHard.some((c) => c.honorTaints)) return QUEUE;
  return QUEUE_SKIP;
};

// ---- InterPodAffinity (plugins/interpodaffinity/plugin.go isSchedulableAfterPodChange / isSchedulableAfterNodeChange).
const interPodAfterPod: HintFn = (p, old, neu) => {
  const o = asPod(old);
  const n = asPod(neu);
  if ((n !== undefined && n.spec.nodeName === '') || (o !== undefined && o.spec.nodeName === '')) return QUEUE_SKIP;
  const a = p.input.podAffinity;
  if (a === null) return QUEUE_SKIP;
  if (o !== undefined && n !== undefined) {
    // A label update: the pod now matches the affinity terms, or no longer matches the anti-affinity terms.
    if (
      !matchesAllTerms(a.requiredAffinity, o.metadata.namespace, o.metadata.labels) &&
      matchesAllTerms(a.requiredAffinity, n.metadata.namespace, n.metadata.labels)
    )
      return QUEUE;
    if (
      matchesAllTerms(a.requiredAnti, o.metadata.namespace, o.metadata.labels) &&
      !matchesAllTerms(a.requiredAnti, n.metadata.namespace, n.metadata.labels)
    )
      return QUEUE;
    return QUEUE_SKIP;
  }
  // Added: it may satisfy the pod's affinity.
  if (n !== undefined) return matchesAllTerms(a.requiredAffinity, n.metadata.namespace, n.metadata.labels) ? QUEUE : QUEUE_SKIP;
  // Deleted: it may have been what the pod's anti-affinity refused.
  if (o !== undefined) return matchesAllTerms(a.requiredAnti, o.metadata.namespace, o.metadata.labels) ? QUEUE : QUEUE_SKIP;
  return QUEUE_SKIP;
};
/** Deleted pods with anti-affinity of their own may have refused this pod (existing pods' anti-affinity). */
const interPodAfterPodWithExisting: HintFn = (p, old, neu) => {
  const o = asPod(old);
  if (neu === undefined && o !== undefined && o.spec.nodeName !== '' && (o.spec.affinity?.podAntiAffinity?.required.length ?? 0) > 0)
    return QUEUE;
  return interPodAfterPod(p, old, neu);
};
const interPodAfterNode: HintFn = (p, old, neu) => {
  const n = asNode(neu);
  const a = p.input.podAffinity;
  if (n === undefined || a === null) return QUEUE_SKIP;
  const o = asNode(old);
  for (const t of a.requiredAffinity)
    if (Object.prototype.hasOwnProperty.call(n.metadata.labels, t.topologyKey)) {
      if (o === undefined || o.metadata.labels[t.topologyKey] !== n.metadata.labels[t.topologyKey]) return QUEUE;
    }
  // Anti-affinity: a new node may hold none of the pods the terms refuse (plugin.go isSchedulableAfterNodeChange:
  // "A new node is added, the pod may become schedulable"), a relabeled one may have left their domain.
  for (const t of a.requiredAnti)
    if (o === undefined || o.metadata.labels[t.topologyKey] !== n.metadata.labels[t.topologyKey]) return QUEUE;
  return QUEUE_SKIP;
};

// ---- DynamicResources (dynamicresources.go isSchedulableAfterClaimChange): a claim of the pod created or its status
// changed, or any claim deallocated (its devices are free again).
const draAfterClaimChange: HintFn = (p, old, neu) => {
  const o = old as ResourceClaim | undefined;
  const n = neu as ResourceClaim | undefined;
  if (n === undefined) return QUEUE_SKIP;
  if (o?.status.allocation !== undefined && n.status.allocation === undefined) return QUEUE;
  let uses = false;
  if (n.metadata.namespace === p.pod.metadata.namespace)
    for (const e of p.pod.spec.resourceClaims ?? []) if (claimNameOf(p.pod, e).name === n.metadata.name) uses = true;
  if (!uses) return QUEUE_SKIP;
  if (o === undefined) return QUEUE;
  return o.status === n.status ? QUEUE_SKIP : QUEUE;
};

/** EventsToRegister of each plugin, with hints (SchedulerQueueingHints on) and without. */
function registrations(plugin: number, hints: boolean): readonly Registration[] {
  switch (plugin) {
    case NODE_UNSCHEDULABLE:
      return hints
        ? [
            reg('Node', ADD | UPDATE_NODE_TAINT, 'NodeUnschedulable/Node', unschedulableAfterNode),
            reg('Pod', UPDATE_POD_TOLERATION, 'NodeUnschedulable/Pod', unschedulableAfterToleration),
          ]
        : [reg('Node', ADD | UPDATE_NODE_TAINT | UPDATE_NODE_LABEL, 'NodeUnschedulable/Node', unschedulableAfterNode)];
    case TAINT_TOLERATION:
      return hints
        ? [
            reg('Node', ADD | UPDATE_NODE_TAINT, 'TaintToleration/Node', taintsAfterNode),
            reg('Pod', UPDATE_POD_TOLERATION, 'TaintToleration/Pod', taintsAfterToleration),
          ]
        : [reg('Node', ADD | UPDATE_NODE_TAINT | UPDATE_NODE_LABEL, 'TaintToleration/Node', taintsAfterNode)];
    case NODE_AFFINITY:
      return [
        reg('Node', hints ? ADD | UPDATE_NODE_LABEL : ADD | UPDATE_NODE_LABEL | UPDATE_NODE_TAINT, 'NodeAffinity/Node', affinityAfterNode),
      ];
    case NODE_PORTS:
      return [
        reg('Pod', DELETE, 'NodePorts/Pod', portsAfterPodDeleted),
        reg('Node', hints ? ADD : ADD | UPDATE_NODE_TAINT | UPDATE_NODE_LABEL, 'NodePorts/Node', null),
      ];
    case NODE_RESOURCES_FIT:
      return [
        reg('Pod', DELETE | UPDATE_POD_SCALE_DOWN, 'NodeResourcesFit/Pod', fitAfterPodEvent),
        reg(
          'Node',
          hints ? ADD | UPDATE_NODE_ALLOCATABLE : ADD | UPDATE_NODE_ALLOCATABLE | UPDATE_NODE_TAINT | UPDATE_NODE_LABEL,
          'NodeResourcesFit/Node',
          fitAfterNode,
        ),
      ];
    case POD_TOPOLOGY_SPREAD:
      return [
        reg('Pod', ADD | UPDATE_POD_LABEL | DELETE, 'PodTopologySpread/Pod', spreadAfterPod),
        reg('Node', ADD | DELETE | UPDATE_NODE_LABEL | UPDATE_NODE_TAINT, 'PodTopologySpread/Node', spreadAfterNode),
      ];
    case INTER_POD_AFFINITY:
      return [
        reg('Pod', ADD | UPDATE_POD_LABEL | DELETE, 'InterPodAffinity/Pod', interPodAfterPodWithExisting),
        reg(
          'Node',
          hints ? ADD | UPDATE_NODE_LABEL : ADD | UPDATE_NODE_LABEL | UPDATE_NODE_TAINT,
          'InterPodAffinity/Node',
          interPodAfterNode,
        ),
      ];
    case COSCHEDULING:
      // coscheduling.go EventsToRegister: Pod Add and PodGroup Add|Update, without hint functions.
      return [reg('Pod', ADD, 'Coscheduling/Pod', null), reg('PodGroup', ADD | UPDATE, 'Coscheduling/PodGroup', null)];
    // The volume plugins' EventsToRegister (volumebinding.go, volumezone.go, volumerestrictions.go), without their
    // hint functions: a matching event requeues the pod (docs/model/storage.md).
    case VOLUME_BINDING:
      return [
        reg('PersistentVolumeClaim', ADD | UPDATE, 'VolumeBinding/PersistentVolumeClaim', null),
        reg('PersistentVolume', ADD | UPDATE, 'VolumeBinding/PersistentVolume', null),
        reg('StorageClass', ADD | UPDATE, 'VolumeBinding/StorageClass', null),
        reg('Node', ADD | UPDATE_NODE_LABEL | UPDATE_NODE_TAINT, 'VolumeBinding/Node', null),
      ];
    case VOLUME_ZONE:
      return [
        reg('StorageClass', ADD, 'VolumeZone/StorageClass', null),
        reg('Node', ADD | UPDATE_NODE_LABEL | UPDATE_NODE_TAINT, 'VolumeZone/Node', null),
        reg('PersistentVolumeClaim', ADD | UPDATE, 'VolumeZone/PersistentVolumeClaim', null),
        reg('PersistentVolume', ADD | UPDATE, 'VolumeZone/PersistentVolume', null),
      ];
    case VOLUME_RESTRICTIONS:
      return [
        reg('Pod', DELETE, 'VolumeRestrictions/Pod', null),
        reg('Node', ADD, 'VolumeRestrictions/Node', null),
        reg('PersistentVolumeClaim', ADD | UPDATE, 'VolumeRestrictions/PersistentVolumeClaim', null),
      ];
    case NODE_VOLUME_LIMITS:
      // nodevolumelimits/csi.go EventsToRegister: CSINode Add|Update (a driver installed or its limit raised), an
      // assigned pod deleted (its volumes no longer count), a claim added (the pod's own claim now exists).
      // VolumeAttachment Delete is not registered: VolumeAttachments are refused (docs/model/storage.md).
      return [
        reg('CSINode', ADD | UPDATE, 'NodeVolumeLimits/CSINode', null),
        reg('Pod', DELETE, 'NodeVolumeLimits/Pod', null),
        reg('PersistentVolumeClaim', ADD, 'NodeVolumeLimits/PersistentVolumeClaim', null),
      ];
    case DYNAMIC_RESOURCES:
      // dynamicresources.go EventsToRegister: Node Add|UpdateNodeLabel (+UpdateNodeTaint without hints), ResourceClaim
      // Add|Update with its hint, DeviceClass and ResourceSlice Add|Update. (Pod UpdatePodGeneratedResourceClaim is not
      // raised: a pod waiting for its claims is held at PreEnqueue and admitted when they exist.)
      return [
        reg('Node', hints ? ADD | UPDATE_NODE_LABEL : ADD | UPDATE_NODE_LABEL | UPDATE_NODE_TAINT, 'DynamicResources/Node', null),
        reg('ResourceClaim', ADD | UPDATE, 'DynamicResources/ResourceClaim', draAfterClaimChange),
        reg('DeviceClass', ADD | UPDATE, 'DynamicResources/DeviceClass', null),
        reg('ResourceSlice', ADD | UPDATE, 'DynamicResources/ResourceSlice', null),
      ];
    default:
      // No EnqueueExtensions: every event, no hint.
      return [reg('*', ALL, 'AllEvents', null)];
  }
}

/** framework's queueing strategies (scheduling_queue.go). */
export const STRATEGY_SKIP = 0;
export const STRATEGY_AFTER_BACKOFF = 1;

/**
 * The event/hint table of one scheduler: which plugins registered each event kind, and isPodWorthRequeuing.
 * Built once per scheduler (buildQueueingHintMap).
 */
export class QueueingHints {
  private readonly table: readonly (readonly Registration[])[];
  private readonly interest = new Map<ClusterEvent, number>();

  constructor(readonly hintsEnabled: boolean) {
    const t: Registration[][] = [];
    for (let b = 1; b <= LAST_PLUGIN; b <<= 1) t.push([...registrations(b, hintsEnabled)]);
    this.table = t;
  }

  /** The rejector bits whose plugins registered an event matching `e` (memoized per event constant). */
  interested(e: ClusterEvent): number {
    let m = this.interest.get(e);
    if (m === undefined) {
      m = 0;
      for (let i = 0; i < this.table.length; i++) if (this.table[i].some((r) => eventMatches(r.event, e))) m |= 1 << i;
      this.interest.set(e, m);
    }
    return m;
  }

  /**
   * isPodWorthRequeuing: a pod with no rejector is always retried (after backoff); otherwise the hints of its
   * rejector plugins registered for the event decide, any Queue wins; no matching registration = skip.
   * A wildcard event (UnschedulableTimeout) moves every pod.
   */
  worth(rejectors: number, e: ClusterEvent, p: () => HintPod, old: unknown, neu: unknown): number {
    if (rejectors === 0 || e.resource === '*') return STRATEGY_AFTER_BACKOFF;
    const mask = rejectors & this.interested(e);
    if (mask === 0) return STRATEGY_SKIP;
    for (let i = 0; i < this.table.length; i++) {
      if ((mask & (1 << i)) === 0) continue;
      for (const r of this.table[i]) {
        if (!eventMatches(r.event, e)) continue;
        if (!this.hintsEnabled || r.hint === null) return STRATEGY_AFTER_BACKOFF;
        if (r.hint(p(), old, neu) === QUEUE) return STRATEGY_AFTER_BACKOFF;
      }
    }
    return STRATEGY_SKIP;
  }
}

// ---- Node affinity of one Node object (nodeaffinity's RequiredNodeAffinity.Match, for hints).

/** The pod's nodeSelector, required node affinity and the profile's addedAffinity all match the node. */
export function nodeMatchesPod(n: Node, p: HintPod): boolean {
  const labels = n.metadata.labels;
  for (const k in p.input.nodeSelector) if (labels[k] !== p.input.nodeSelector[k]) return false;
  const req = p.input.nodeAffinity?.required;
  if (req !== undefined && !anyTerm(req.nodeSelectorTerms, n)) return false;
  const added = p.addedAffinity?.required;
  if (added !== undefined && !anyTerm(added.nodeSelectorTerms, n)) return false;
  return true;
}

function anyTerm(terms: readonly NodeSelectorTerm[], n: Node): boolean {
  for (const t of terms) {
    if (t.matchExpressions.length + t.matchFields.length === 0) continue;
    if (
      t.matchExpressions.every((r) => requirementMatches(r, n.metadata.labels)) &&
      t.matchFields.every((r) => (r.operator === 'In') === r.values.includes(n.metadata.name))
    )
      return true;
  }
  return false;
}

function requirementMatches(r: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.operator) {
    case 'In':
      return has && r.values.includes(v);
    case 'NotIn':
      return !has || !r.values.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default: {
      if (!has || !/^[-+]?\d+$/.test(v)) return false;
      const x = Number(v);
      const bound = Number(r.values[0]);
      return r.operator === 'Gt' ? x > bound : x < bound;
    }
  }
}
