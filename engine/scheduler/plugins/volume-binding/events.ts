/**
 * the volume plugins's EventsToRegister and QueueingHint functions (upstream's EnqueueExtensions): the cluster events that may
 * make a pod it rejected schedulable, with hints (SchedulerQueueingHints on) and without. The registry
 * (framework/registry.ts) holds them under the plugin's rejector bit; framework/queueing-hints.ts asks them.
 */
import { reg, type Registration } from '../../framework/hint-types.js';
import { ADD, DELETE, UPDATE, UPDATE_NODE_LABEL, UPDATE_NODE_TAINT } from '../../framework/cluster-events.js';

// volumebinding.go, volumezone.go, volumerestrictions.go, nodevolumelimits/csi.go: their EventsToRegister, without
// hint functions: a matching event requeues the pod (docs/model/storage.md).
export function volumeBindingEvents(_hints: boolean): readonly Registration[] {
  return [
    reg('PersistentVolumeClaim', ADD | UPDATE, 'VolumeBinding/PersistentVolumeClaim', null),
    reg('PersistentVolume', ADD | UPDATE, 'VolumeBinding/PersistentVolume', null),
    reg('StorageClass', ADD | UPDATE, 'VolumeBinding/StorageClass', null),
    reg('Node', ADD | UPDATE_NODE_LABEL | UPDATE_NODE_TAINT, 'VolumeBinding/Node', null),
  ];
}

export function volumeZoneEvents(_hints: boolean): readonly Registration[] {
  return [
    reg('StorageClass', ADD, 'VolumeZone/StorageClass', null),
    reg('Node', ADD | UPDATE_NODE_LABEL | UPDATE_NODE_TAINT, 'VolumeZone/Node', null),
    reg('PersistentVolumeClaim', ADD | UPDATE, 'VolumeZone/PersistentVolumeClaim', null),
    reg('PersistentVolume', ADD | UPDATE, 'VolumeZone/PersistentVolume', null),
  ];
}

export function volumeRestrictionsEvents(_hints: boolean): readonly Registration[] {
  return [
    reg('Pod', DELETE, 'VolumeRestrictions/Pod', null),
    reg('Node', ADD, 'VolumeRestrictions/Node', null),
    reg('PersistentVolumeClaim', ADD | UPDATE, 'VolumeRestrictions/PersistentVolumeClaim', null),
  ];
}

export function nodeVolumeLimitsEvents(_hints: boolean): readonly Registration[] {
  // nodevolumelimits/csi.go EventsToRegister: CSINode Add|Update (a driver installed or its limit raised), an
  // assigned pod deleted (its volumes no longer count), a claim added (the pod's own claim now exists).
  // VolumeAttachment Delete is not registered: VolumeAttachments are refused (docs/model/storage.md).
  return [
    reg('CSINode', ADD | UPDATE, 'NodeVolumeLimits/CSINode', null),
    reg('Pod', DELETE, 'NodeVolumeLimits/Pod', null),
    reg('PersistentVolumeClaim', ADD, 'NodeVolumeLimits/PersistentVolumeClaim', null),
  ];
}
