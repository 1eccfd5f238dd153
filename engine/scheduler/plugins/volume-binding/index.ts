/**
 * The volume plugins of the default profile, compiled once per scheduling cycle of a pod that has claims
 * (the kernel's per-node check then runs only for such pods):
 * - VolumeRestrictions PreFilter (framework/plugins/volumerestrictions): a ReadWriteOncePod claim already used by
 *   another pod rejects the pod;
 * - VolumeBinding PreFilter/Filter (framework/plugins/volumebinding, binder.go GetPodVolumeClaims, FindPodVolumes):
 *   a missing claim or an unbound Immediate claim fails PreFilter; a bound claim's volume node affinity must admit
 *   the node (checkBoundClaims); an unbound WaitForFirstConsumer claim needs a matching available volume whose
 *   node affinity admits the node (findMatchingVolumes) or a class able to provision in the node's topology
 *   (checkVolumeProvisions: allowedTopologies);
 * - VolumeZone Filter (framework/plugins/volumezone): the zone/region labels of bound volumes against the node's,
 *   a node without any of those labels passing.
 * - NodeVolumeLimits Filter (framework/plugins/nodevolumelimits/csi.go): per CSI driver of the pod's volumes, the
 *   unique volumes the node's pods already use plus the pod's new ones must not exceed the count its CSINode
 *   allocates to that driver; no CSINode, or no count for the driver, is no limit.
 * Each per-node rule is a set of node selector terms (ORed) compiled against the NodeTable by the kernel.
 */
import type { CSINode, NodeSelectorTerm, Pod, PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../../api/objects.js';
import {
  BETA_REGION_LABEL,
  BETA_ZONE_LABEL,
  MULTI_ZONE_DELIMITER,
  REGION_LABEL,
  VOLUME_ZONE_LABELS,
  ZONE_LABEL,
  canProvision,
  claimClass,
  findMatchingVolume,
} from '../../../api/storage.js';
import { NODE_VOLUME_LIMITS, VOLUME_BINDING, VOLUME_RESTRICTIONS, VOLUME_ZONE } from '../../framework/rejectors.js';

/** volumebinding.go / binder.go */
export const REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
/** volumezone.go ErrReasonConflict */
export const REASON_ZONE_CONFLICT = 'node(s) had no available volume zone';
/** volumerestrictions.go ErrReasonReadWriteOncePodConflict */
export const REASON_RWOP_CONFLICT = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';

/** csi.go ErrReasonMaxVolumeCountExceeded */
export const REASON_MAX_VOLUME_COUNT = 'node(s) exceed max volume count';

export function reasonClaimNotFound(name: string): string {
  return `persistentvolumeclaim "${name}" not found`;
}

/** A per-node rule: the node must match one of `terms`; else `reason`, from `plugin` (rejector bit). */
export interface VolumeRule {
  readonly terms: readonly NodeSelectorTerm[];
  readonly reason: string;
  readonly plugin: number;
}

export interface VolumeInput {
  /** A PreFilter rejection (every node), or null. */
  readonly preFilter: { readonly message: string; readonly plugin: number } | null;
  /** Filter rules in the default filter order (VolumeBinding, then VolumeZone). */
  readonly rules: readonly VolumeRule[];
  /** Unbound WaitForFirstConsumer claims, bound by the scheduler's PreBind once a node is chosen. */
  readonly delayed: readonly PersistentVolumeClaim[];
}

/** What the plugins read from the scheduler's informers. */
export interface VolumeListers {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  storageClass(name: string): StorageClass | undefined;
  volumes(): Iterable<PersistentVolume>;
  defaultClass(): string;
  /** Whether a pod other than `podKey`, not terminated, uses the claim. */
  claimInUse(namespace: string, claim: string, podKey: string): boolean;
  /** NodeVolumeLimits: the CSINode objects (metadata.name = node name). */
  csiNodes(): Iterable<CSINode>;
  /** NodeVolumeLimits: the non-terminal pods on nodes (assumed included), with their node's name. */
  assignedPods(): Iterable<{ readonly node: string; readonly pod: Pod }>;
}

export function volumeInput(namespace: string, claimNames: readonly string[], l: VolumeListers, podKey: string): VolumeInput {
  const rules: VolumeRule[] = [];
  const zoneRules: VolumeRule[] = [];
  const delayed: PersistentVolumeClaim[] = [];
  const fail = (message: string, plugin: number): VolumeInput => ({ preFilter: { message, plugin }, rules: [], delayed: [] });
  // VolumeRestrictions PreFilter.
  for (const name of claimNames) {
    const pvc = l.claim(namespace, name);
    if (pvc === undefined) return fail(reasonClaimNotFound(name), VOLUME_RESTRICTIONS);
    if (pvc.spec.accessModes.includes('ReadWriteOncePod') && l.claimInUse(namespace, name, podKey))
      return fail(REASON_RWOP_CONFLICT, VOLUME_RESTRICTIONS);
  }
  // VolumeBinding PreFilter: bound, delayed (WaitForFirstConsumer) and unbound immediate claims.
  let unboundImmediate = false;
  const defaultClass = l.defaultClass();
  for (const name of claimNames) {
    const pvc = l.claim(namespace, name) as PersistentVolumeClaim;
    if (pvc.status.phase === 'Bound') {
      const pv = l.volume(pvc.spec.volumeName);
      if (pv === undefined) {
        rules.push({ terms: [], reason: REASON_PV_NOT_EXIST, plugin: VOLUME_BINDING });
        continue;
      }
      if (pv.spec.nodeAffinity !== undefined)
        rules.push({ terms: pv.spec.nodeAffinity.nodeSelectorTerms, reason: REASON_NODE_CONFLICT, plugin: VOLUME_BINDING });
      zoneRules.push(...zoneRulesOf(pv));
      continue;
    }
    const className = claimClass(pvc, defaultClass);
    const sc = className === '' ? undefined : l.storageClass(className);
    if (sc?.volumeBindingMode !== 'WaitForFirstConsumer') {
      unboundImmediate = true;
      continue;
    }
    delayed.push(pvc);
    if (pvc.spec.volumeName !== '') {
      // Pre-bound to a volume: that volume's node affinity decides.
      const pv = l.volume(pvc.spec.volumeName);
      if (pv === undefined) rules.push({ terms: [], reason: REASON_BIND_CONFLICT, plugin: VOLUME_BINDING });
      else if (pv.spec.nodeAffinity !== undefined)
        rules.push({ terms: pv.spec.nodeAffinity.nodeSelectorTerms, reason: REASON_NODE_CONFLICT, plugin: VOLUME_BINDING });
      continue;
    }
    // findMatchingVolumes or checkVolumeProvisions: the union of the nodes either admits.
    const terms: NodeSelectorTerm[] = [];
    let anywhere = false;
    for (const pv of l.volumes()) {
      if (pv.spec.claimRef !== '' || findMatchingVolume(pvc, className, [pv], null) === undefined) continue;
      if (pv.spec.nodeAffinity === undefined) anywhere = true;
      else terms.push(...pv.spec.nodeAffinity.nodeSelectorTerms);
    }
    if (canProvision(sc)) {
      if (sc === undefined || sc.allowedTopologies.length === 0) anywhere = true;
      else terms.push(...sc.allowedTopologies);
    }
    if (!anywhere) rules.push({ terms, reason: REASON_BIND_CONFLICT, plugin: VOLUME_BINDING });
  }
  if (unboundImmediate) return fail(REASON_UNBOUND_IMMEDIATE, VOLUME_BINDING);
  // Default filter order: NodeVolumeLimits, VolumeBinding, VolumeZone.
  const limits = volumeLimitsRule(namespace, claimNames, l);
  return { preFilter: null, rules: limits === null ? [...rules, ...zoneRules] : [limits, ...rules, ...zoneRules], delayed };
}

/**
 * csi.go filterAttachableVolumes for one claim: its CSI driver and unique volume name, or null when it has no
 * driver. A bound claim: its volume's spec.csi.driver, else (kubesim's provisioned volumes carry no csi source) its
 * class's provisioner; the volume name stands for the volume handle. An unbound claim (getCSIDriverInfoFromSC):
 * its class's provisioner, and namespace/claim as the handle.
 */
function attachable(
  namespace: string,
  claimName: string,
  l: VolumeListers,
  defaultClass: string,
): { driver: string; handle: string } | null {
  const pvc = l.claim(namespace, claimName);
  if (pvc === undefined) return null; // an existing pod's missing claim is skipped (logged upstream)
  const pv = pvc.spec.volumeName === '' ? undefined : l.volume(pvc.spec.volumeName);
  if (pv !== undefined) {
    const driver =
      pv.spec.csiDriver ?? (pv.spec.storageClassName === '' ? '' : (l.storageClass(pv.spec.storageClassName)?.provisioner ?? ''));
    return driver === '' ? null : { driver, handle: `${driver}/${pv.metadata.name}` };
  }
  const className = claimClass(pvc, defaultClass);
  const driver = className === '' ? '' : (l.storageClass(className)?.provisioner ?? '');
  return driver === '' ? null : { driver, handle: `${driver}/${namespace}/${claimName}` };
}

/**
 * NodeVolumeLimits Filter (csi.go Filter), evaluated for every node with a CSINode limiting one of the pod's drivers
 * and compiled into one rule: the node is not one of those whose count would be exceeded. Null = no node exceeds.
 */
function volumeLimitsRule(namespace: string, claimNames: readonly string[], l: VolumeListers): VolumeRule | null {
  const defaultClass = l.defaultClass();
  // The pod's new volumes: unique name → driver.
  const newVolumes = new Map<string, string>();
  for (const name of claimNames) {
    const v = attachable(namespace, name, l, defaultClass);
    if (v !== null) newVolumes.set(v.handle, v.driver);
  }
  if (newVolumes.size === 0) return null;
  const drivers = new Set(newVolumes.values());
  // Node name → the limits (getVolumeLimits: CSINode drivers[].allocatable.count) of the pod's drivers.
  const limited = new Map<string, Map<string, number>>();
  for (const cn of l.csiNodes()) {
    let m: Map<string, number> | undefined;
    for (const d of cn.spec.drivers) if (d.count !== null && drivers.has(d.name)) (m ??= new Map()).set(d.name, d.count);
    if (m !== undefined) limited.set(cn.metadata.name, m);
  }
  if (limited.size === 0) return null;
  // The volumes already used on those nodes: node → unique name → driver (a volume shared by pods counts once).
  const attached = new Map<string, Map<string, string>>();
  for (const { node, pod } of l.assignedPods()) {
    const claims = pod.spec.claims;
    if (claims === undefined || !limited.has(node)) continue;
    let m = attached.get(node);
    if (m === undefined) attached.set(node, (m = new Map()));
    for (const c of claims) {
      const v = attachable(pod.metadata.namespace, c, l, defaultClass);
      if (v !== null) m.set(v.handle, v.driver);
    }
  }
  const exceeded: string[] = [];
  for (const [node, limits] of limited) {
    const used = attached.get(node);
    const usedCount = new Map<string, number>();
    if (used !== undefined) for (const d of used.values()) usedCount.set(d, (usedCount.get(d) ?? 0) + 1);
    const newCount = new Map<string, number>();
    for (const [handle, d] of newVolumes) if (used?.has(handle) !== true) newCount.set(d, (newCount.get(d) ?? 0) + 1);
    for (const [d, n] of newCount) {
      const max = limits.get(d);
      if (max !== undefined && (usedCount.get(d) ?? 0) + n > max) {
        exceeded.push(node);
        break;
      }
    }
  }
  if (exceeded.length === 0) return null;
  exceeded.sort();
  return {
    terms: [
      { matchExpressions: [], matchFields: exceeded.map((n) => ({ key: 'metadata.name', operator: 'NotIn' as const, values: [n] })) },
    ],
    reason: REASON_MAX_VOLUME_COUNT,
    plugin: NODE_VOLUME_LIMITS,
  };
}

/**
 * VolumeZone for one bound volume: per zone/region label it carries, the node must either have none of the four
 * topology labels, or have that label (or, for a beta label, its GA twin) with one of the volume's values.
 */
function zoneRulesOf(pv: PersistentVolume): VolumeRule[] {
  const out: VolumeRule[] = [];
  const noLabels: NodeSelectorTerm = {
    matchExpressions: VOLUME_ZONE_LABELS.map((key) => ({ key, operator: 'DoesNotExist' as const, values: [] })),
    matchFields: [],
  };
  for (const key of VOLUME_ZONE_LABELS) {
    const v = pv.metadata.labels[key];
    if (v === undefined) continue;
    const values = v.split(MULTI_ZONE_DELIMITER);
    const terms: NodeSelectorTerm[] = [noLabels, { matchExpressions: [{ key, operator: 'In', values }], matchFields: [] }];
    const ga = key === BETA_ZONE_LABEL ? ZONE_LABEL : key === BETA_REGION_LABEL ? REGION_LABEL : null;
    if (ga !== null)
      terms.push({
        matchExpressions: [
          { key, operator: 'DoesNotExist', values: [] },
          { key: ga, operator: 'In', values },
        ],
        matchFields: [],
      });
    out.push({ terms, reason: REASON_ZONE_CONFLICT, plugin: VOLUME_ZONE });
  }
  return out;
}
