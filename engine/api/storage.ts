/**
 * Volume binding rules shared by the PV controller (engine/controllers/persistent-volume.ts) and the scheduler's
 * VolumeBinding/VolumeZone plugins (engine/scheduler/plugins/volume-binding/): which PersistentVolume can serve
 * which claim, and the annotations and labels both sides read.
 */
import type { AccessMode, NodeSelector, NodeSelectorTerm, PersistentVolume, PersistentVolumeClaim, StorageClass } from './objects.js';

/** pkg/controller/volume/persistentvolume/util: volume.kubernetes.io/selected-node (AnnSelectedNode). */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** storageclass.kubernetes.io/is-default-class (the DefaultStorageClass admission plugin). */
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
/** A StorageClass whose volumes are all created by hand (no dynamic provisioning), as documented for local volumes. */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
/** The zone label (v1.LabelTopologyZone) provisioned volumes are pinned to, and the deprecated beta one VolumeZone also reads. */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const REGION_LABEL = 'topology.kubernetes.io/region';
export const BETA_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';
export const BETA_REGION_LABEL = 'failure-domain.beta.kubernetes.io/region';
/** volumezone.go topologyLabels, in upstream's order. */
export const VOLUME_ZONE_LABELS: readonly string[] = [BETA_ZONE_LABEL, BETA_REGION_LABEL, ZONE_LABEL, REGION_LABEL];
/** volumehelpers.LabelMultiZoneDelimiter: a PV label value may list several zones. */
export const MULTI_ZONE_DELIMITER = '__';

export function claimKeyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * The class a claim uses: its storageClassName, or when it has none the default class (the DefaultStorageClass
 * admission plugin sets it at create; kubesim resolves it when the claim is read, see docs/model/storage.md).
 */
export function claimClass(pvc: PersistentVolumeClaim, defaultClass: string): string {
  return pvc.spec.storageClassName ?? defaultClass;
}

/** The default StorageClass: the newest one annotated is-default-class=true (GetDefaultClass), '' when none. */
export function defaultClassOf(classes: Iterable<StorageClass>): string {
  let best: StorageClass | undefined;
  for (const c of classes) {
    if (c.metadata.annotations[ANN_DEFAULT_CLASS] !== 'true') continue;
    if (best === undefined || c.metadata.creationTimestamp > best.metadata.creationTimestamp) best = c;
  }
  return best?.metadata.name ?? '';
}

function accessModesContain(have: readonly AccessMode[], want: readonly AccessMode[]): boolean {
  for (const m of want) if (!have.includes(m)) return false;
  return true;
}

/** NodeSelector match of plain labels (component-helpers nodeaffinity, for the controller side). */
export function nodeSelectorMatches(sel: NodeSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (sel === undefined) return true;
  return termsMatch(sel.nodeSelectorTerms, labels);
}

export function termsMatch(terms: readonly NodeSelectorTerm[], labels: Readonly<Record<string, string>>): boolean {
  for (const t of terms) {
    let ok = true;
    for (const r of t.matchExpressions) {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      const v = labels[r.key];
      if (r.operator === 'In') ok = has && r.values.includes(v);
      else if (r.operator === 'NotIn') ok = !has || !r.values.includes(v);
      else if (r.operator === 'Exists') ok = has;
      else if (r.operator === 'DoesNotExist') ok = !has;
      else {
        const n = Number.parseInt(v ?? '', 10);
        const b = Number.parseInt(r.values[0], 10);
        ok = has && Number.isFinite(n) && (r.operator === 'Gt' ? n > b : n < b);
      }
      if (!ok) break;
    }
    if (ok) return true;
  }
  return false;
}

/**
 * FindMatchingVolume (pkg/controller/volume/persistentvolume/util/util.go): the smallest volume of the claim's
 * class that is not bound to another claim, offers the claim's access modes and holds its request; a volume
 * pre-bound to this claim (claimRef) wins at once. `nodeLabels` (WaitForFirstConsumer, the selected node):
 * only volumes whose node affinity admits that node. Volumes are visited in name order for determinism.
 */
export function findMatchingVolume(
  pvc: PersistentVolumeClaim,
  className: string,
  volumes: Iterable<PersistentVolume>,
  nodeLabels: Readonly<Record<string, string>> | null,
  taken?: ReadonlySet<string>,
): PersistentVolume | undefined {
  const key = claimKeyOf(pvc.metadata.namespace, pvc.metadata.name);
  let best: PersistentVolume | undefined;
  for (const pv of volumes) {
    if (pv.spec.claimRef !== '' && pv.spec.claimRef !== key) continue;
    if (pv.status.phase === 'Released') continue;
    if (taken?.has(pv.metadata.name) === true) continue;
    if (pv.spec.storageClassName !== className) continue;
    if (!accessModesContain(pv.spec.accessModes, pvc.spec.accessModes)) continue;
    if (pv.spec.storage < pvc.spec.storage) continue;
    if (nodeLabels !== null && !nodeSelectorMatches(pv.spec.nodeAffinity, nodeLabels)) continue;
    if (pv.spec.claimRef === key) return pv;
    if (
      best === undefined ||
      pv.spec.storage < best.spec.storage ||
      (pv.spec.storage === best.spec.storage && pv.metadata.name < best.metadata.name)
    )
      best = pv;
  }
  return best;
}

/** Whether a class can provision volumes at all (kubernetes.io/no-provisioner cannot). */
export function canProvision(sc: StorageClass | undefined): boolean {
  return sc !== undefined && sc.provisioner !== NO_PROVISIONER && sc.provisioner !== '';
}
