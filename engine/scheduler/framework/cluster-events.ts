/**
 * Cluster events as the scheduling queue sees them (pkg/scheduler/framework/types.go ClusterEvent, ActionType,
 * EventResource; framework/events.go NodeSchedulingPropertiesChange). An event is a resource and a set of
 * action bits; a plugin registers the events that may make a pod it rejected schedulable, and a registered
 * event matches an incoming one when the resources match and the action bits intersect (ClusterEvent.Match).
 */
import type { Node, Pod } from '../../api/objects.js';

/** ActionType bits (framework/types.go). */
export const ADD = 1 << 0;
export const DELETE = 1 << 1;
export const UPDATE_NODE_ALLOCATABLE = 1 << 2;
export const UPDATE_NODE_LABEL = 1 << 3;
export const UPDATE_NODE_TAINT = 1 << 4;
export const UPDATE_NODE_CONDITION = 1 << 5;
export const UPDATE_NODE_ANNOTATION = 1 << 6;
export const UPDATE_POD_LABEL = 1 << 7;
export const UPDATE_POD_SCALE_DOWN = 1 << 8;
export const UPDATE_POD_TOLERATION = 1 << 9;
export const UPDATE_POD_SCHEDULING_GATES_ELIMINATED = 1 << 10;
export const UPDATE =
  UPDATE_NODE_ALLOCATABLE |
  UPDATE_NODE_LABEL |
  UPDATE_NODE_TAINT |
  UPDATE_NODE_CONDITION |
  UPDATE_NODE_ANNOTATION |
  UPDATE_POD_LABEL |
  UPDATE_POD_SCALE_DOWN |
  UPDATE_POD_TOLERATION |
  UPDATE_POD_SCHEDULING_GATES_ELIMINATED;
export const ALL = ADD | DELETE | UPDATE;

/**
 * EventResource: plugins register `Pod` (matching both kinds of pod events); the queue raises `AssignedPod`
 * (a pod bound to a node) or `UnscheduledPod` events; `*` is the wildcard (UnschedulableTimeout, ForceActivate).
 */
export type EventResource =
  | 'Node'
  | 'Pod'
  | 'AssignedPod'
  | 'UnscheduledPod'
  | 'PodGroup'
  | 'PersistentVolumeClaim'
  | 'PersistentVolume'
  | 'StorageClass'
  | 'CSINode'
  | 'ResourceClaim'
  | 'ResourceSlice'
  | 'DeviceClass'
  | '*';

export interface ClusterEvent {
  readonly resource: EventResource;
  readonly action: number;
  /** The event's label in upstream metrics (e.g. "AssignedPodAdd", "NodeAllocatableChange"). */
  readonly label: string;
}

/** The objects an event carries: old is absent for an add, new is absent for a delete. */
export type EventObjects = { readonly old?: Node; readonly new?: Node } | { readonly old?: Pod; readonly new?: Pod };

export function isWildCard(e: ClusterEvent): boolean {
  return e.resource === '*' && e.action === ALL;
}

/** ClusterEvent.Match: `registered` (a plugin's) matches `incoming` (the queue's). */
export function eventMatches(registered: ClusterEvent, incoming: ClusterEvent): boolean {
  if (isWildCard(registered)) return true;
  return resourceMatches(registered.resource, incoming.resource) && (registered.action & incoming.action) !== 0;
}

function resourceMatches(r: EventResource, incoming: EventResource): boolean {
  return r === '*' || r === incoming || (r === 'Pod' && (incoming === 'AssignedPod' || incoming === 'UnscheduledPod'));
}

const ev = (resource: EventResource, action: number, label: string): ClusterEvent => ({ resource, action, label });

// The events the queue raises (framework/events.go).
export const NODE_ADD = ev('Node', ADD, 'NodeAdd');
export const NODE_DELETE = ev('Node', DELETE, 'NodeDelete');
export const NODE_SPEC_UNSCHEDULABLE_CHANGE = ev('Node', UPDATE_NODE_TAINT, 'NodeSpecUnschedulableChange');
export const NODE_ALLOCATABLE_CHANGE = ev('Node', UPDATE_NODE_ALLOCATABLE, 'NodeAllocatableChange');
export const NODE_LABEL_CHANGE = ev('Node', UPDATE_NODE_LABEL, 'NodeLabelChange');
export const NODE_TAINT_CHANGE = ev('Node', UPDATE_NODE_TAINT, 'NodeTaintChange');
export const ASSIGNED_POD_ADD = ev('AssignedPod', ADD, 'AssignedPodAdd');
export const ASSIGNED_POD_UPDATE_LABEL = ev('AssignedPod', UPDATE_POD_LABEL, 'AssignedPodUpdate');
export const ASSIGNED_POD_DELETE = ev('AssignedPod', DELETE, 'AssignedPodDelete');
export const UNSCHEDULED_POD_UPDATE_LABEL = ev('UnscheduledPod', UPDATE_POD_LABEL, 'UnscheduledPodUpdate');
export const UNSCHEDULED_POD_UPDATE_TOLERATION = ev('UnscheduledPod', UPDATE_POD_TOLERATION, 'UnscheduledPodUpdate');
export const PVC_ADD = ev('PersistentVolumeClaim', ADD, 'PvcAdd');
export const PVC_UPDATE = ev('PersistentVolumeClaim', UPDATE, 'PvcUpdate');
export const PV_ADD = ev('PersistentVolume', ADD, 'PvAdd');
export const PV_UPDATE = ev('PersistentVolume', UPDATE, 'PvUpdate');
export const STORAGE_CLASS_ADD = ev('StorageClass', ADD, 'StorageClassAdd');
export const STORAGE_CLASS_UPDATE = ev('StorageClass', UPDATE, 'StorageClassUpdate');
export const CSI_NODE_ADD = ev('CSINode', ADD, 'CSINodeAdd');
export const CSI_NODE_UPDATE = ev('CSINode', UPDATE, 'CSINodeUpdate');
export const RESOURCE_CLAIM_ADD = ev('ResourceClaim', ADD, 'ResourceClaimAdd');
export const RESOURCE_CLAIM_UPDATE = ev('ResourceClaim', UPDATE, 'ResourceClaimUpdate');
export const RESOURCE_SLICE_ADD = ev('ResourceSlice', ADD, 'ResourceSliceAdd');
export const RESOURCE_SLICE_UPDATE = ev('ResourceSlice', UPDATE, 'ResourceSliceUpdate');
export const DEVICE_CLASS_ADD = ev('DeviceClass', ADD, 'DeviceClassAdd');
export const DEVICE_CLASS_UPDATE = ev('DeviceClass', UPDATE, 'DeviceClassUpdate');
export const UNSCHEDULABLE_TIMEOUT = ev('*', ALL, 'UnschedulableTimeout');
/** scheduler-plugins' PodGroup CRD (a custom GVK event, "podgroups.v1alpha1.scheduling.x-k8s.io"). */
export const POD_GROUP_ADD = ev('PodGroup', ADD, 'PodGroupAdd');
export const POD_GROUP_UPDATE = ev('PodGroup', UPDATE, 'PodGroupUpdate');

/**
 * NodeSchedulingPropertiesChange (eventhandlers.go updateNodeInCache): the events a node update raises, in
 * upstream's order. Unchanged objects are shared by reference (the API server copies only what it changes).
 */
export function nodeSchedulingPropertiesChange(n: Node, old: Node): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  if (old.spec.unschedulable !== n.spec.unschedulable) out.push(NODE_SPEC_UNSCHEDULABLE_CHANGE);
  if (old.status.allocatable !== n.status.allocatable && !sameRecord(old.status.allocatable, n.status.allocatable))
    out.push(NODE_ALLOCATABLE_CHANGE);
  if (old.metadata.labels !== n.metadata.labels && !sameRecord(old.metadata.labels, n.metadata.labels)) out.push(NODE_LABEL_CHANGE);
  if (old.spec.taints !== n.spec.taints && !sameTaints(old.spec.taints, n.spec.taints)) out.push(NODE_TAINT_CHANGE);
  return out;
}

export function sameRecord<T>(a: Readonly<Record<string, T>>, b: Readonly<Record<string, T>>): boolean {
  let na = 0;
  for (const k in a) {
    na++;
    if (!Object.prototype.hasOwnProperty.call(b, k) || a[k] !== b[k]) return false;
  }
  let nb = 0;
  for (const _ in b) nb++;
  return na === nb;
}

function sameTaints(a: Node['spec']['taints'], b: Node['spec']['taints']): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].key !== b[i].key || a[i].value !== b[i].value || a[i].effect !== b[i].effect) return false;
  return true;
}
/** A pod deleted before it was bound (EventUnscheduledPodDelete); kubesim raises it for nominated pods only. */
export const UNSCHEDULED_POD_DELETE = ev('UnscheduledPod', DELETE, 'UnscheduledPodDelete');
