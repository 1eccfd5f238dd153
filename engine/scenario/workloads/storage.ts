/**
 * Storage manifests: core/v1 PersistentVolumeClaim and PersistentVolume, storage.k8s.io/v1 StorageClass, validated
 * as pkg/apis/core/validation ValidatePersistentVolumeClaim / ValidatePersistentVolume and pkg/apis/storage/validation
 * ValidateStorageClass for the fields volume binding reads, and defaulted as upstream (volumeBindingMode Immediate,
 * SetDefaults_PersistentVolumeClaim: phase Pending; SetDefaults_PersistentVolume: phase Pending → Available).
 * Every field is honoured, inert, warned about or refused (field-dispositions.ts tables below).
 */
import type { AccessMode, CSINode, ObjectMeta, PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../api/objects.js';
import { checkFields, type Disposition, type FieldTable } from '../field-dispositions.js';
import { parseMeta } from '../manifests.js';
import { parseNodeSelectorTerm } from '../../api/node-selector-input.js';
import type { Field } from '../yaml-field.js';

const ACCESS_MODES: readonly AccessMode[] = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
const H: Disposition = { d: 'honoured' };
const NO_PLACEMENT: Disposition = { d: 'inert', why: 'no effect on placement or timing' };

/** core/v1 PersistentVolumeClaimSpec. */
export const PVC_SPEC: FieldTable = {
  accessModes: H,
  resources: H,
  storageClassName: H,
  volumeName: H,
  volumeMode: NO_PLACEMENT,
  selector: { d: 'refused', why: 'label selectors on claims are not modeled (they restrict the volumes a claim may bind)' },
  dataSource: { d: 'warned', why: 'volume populators (snapshots, clones) are not modeled: the volume is provisioned empty' },
  dataSourceRef: { d: 'warned', why: 'volume populators (snapshots, clones) are not modeled: the volume is provisioned empty' },
  volumeAttributesClassName: NO_PLACEMENT,
};

/** core/v1 PersistentVolumeSpec: the volume sources are inert (kubesim does not attach or mount). */
export const PV_SPEC: FieldTable = {
  capacity: H,
  accessModes: H,
  storageClassName: H,
  nodeAffinity: H,
  claimRef: H,
  persistentVolumeReclaimPolicy: { d: 'inert', why: 'volumes are never released in a run (claims are not deleted)' },
  mountOptions: NO_PLACEMENT,
  volumeMode: NO_PLACEMENT,
  volumeAttributesClassName: NO_PLACEMENT,
  // csi.driver: the driver NodeVolumeLimits counts the volume against; the other csi fields are inert.
  csi: H,
  local: NO_PLACEMENT,
  hostPath: NO_PLACEMENT,
  nfs: NO_PLACEMENT,
  iscsi: NO_PLACEMENT,
  fc: NO_PLACEMENT,
  rbd: NO_PLACEMENT,
  cephfs: NO_PLACEMENT,
  awsElasticBlockStore: NO_PLACEMENT,
  gcePersistentDisk: NO_PLACEMENT,
  azureDisk: NO_PLACEMENT,
  azureFile: NO_PLACEMENT,
  cinder: NO_PLACEMENT,
  vsphereVolume: NO_PLACEMENT,
  flexVolume: NO_PLACEMENT,
  glusterfs: NO_PLACEMENT,
  portworxVolume: NO_PLACEMENT,
  quobyte: NO_PLACEMENT,
  scaleIO: NO_PLACEMENT,
  storageos: NO_PLACEMENT,
  photonPersistentDisk: NO_PLACEMENT,
  flocker: NO_PLACEMENT,
};

/** storage.k8s.io/v1 StorageClass (top-level fields besides apiVersion, kind, metadata). */
export const STORAGE_CLASS: FieldTable = {
  provisioner: H,
  volumeBindingMode: H,
  allowedTopologies: H,
  parameters: {
    d: 'warned',
    why: 'provisioner parameters are not simulated (every class provisions with parameters.controllerManager.provisioningLatency)',
  },
  reclaimPolicy: { d: 'inert', why: 'volumes are never released in a run (claims are not deleted)' },
  allowVolumeExpansion: { d: 'inert', why: 'volume expansion is not requested by any modeled component' },
  mountOptions: NO_PLACEMENT,
};

const TOP = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

/** The top-level keys: apiVersion, kind, metadata, spec, status, and the kind's own (`extra`). */
function checkTop(f: Field, extra: FieldTable | null): void {
  const table: Record<string, Disposition> = { ...extra };
  for (const k of TOP) table[k] = H;
  checkFields(f, table);
}

function accessModes(f: Field): AccessMode[] {
  const modes = f.items().map((m) => m.oneOf(ACCESS_MODES));
  if (modes.length === 0) f.fail('at least 1 access mode is required');
  // ValidatePersistentVolumeClaimSpec: ReadWriteOncePod may not be combined with another mode.
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) f.fail('may not use ReadWriteOncePod with other access modes');
  return modes;
}

function storageOf(f: Field, what: string): number {
  const list = f.resourceList();
  const v = list.storage;
  if (v === undefined) f.fail(`expected ${what}.storage (a quantity such as 10Gi)`);
  if (v <= 0) f.get('storage').fail(`must be greater than zero, got ${v}`);
  return v;
}

function className(f: Field): string {
  const s = f.optStr('');
  return s;
}

export function parsePersistentVolumeClaim(f: Field): PersistentVolumeClaim {
  checkTop(f, null);
  const metadata = parseMeta(f, true, 'subdomain');
  return { kind: 'PersistentVolumeClaim', metadata, ...parseClaimBody(f) };
}

/** The spec of a claim or of a StatefulSet's volumeClaimTemplate. */
export function parseClaimBody(f: Field): Pick<PersistentVolumeClaim, 'spec' | 'status'> {
  const spec = f.get('spec');
  if (spec.kind() !== 'map') spec.fail('expected a PersistentVolumeClaim spec (accessModes and resources.requests.storage)');
  checkFields(spec, PVC_SPEC);
  const scField = spec.get('storageClassName');
  return {
    spec: {
      accessModes: accessModes(spec.get('accessModes')),
      storage: storageOf(spec.get('resources').get('requests'), 'resources.requests'),
      storageClassName: scField.exists && scField.kind() !== 'null' ? className(scField) : null,
      volumeName: spec.get('volumeName').optStr(''),
    },
    status: { phase: 'Pending' },
  };
}

export function parsePersistentVolume(f: Field): PersistentVolume {
  checkTop(f, null);
  const metadata: ObjectMeta = parseMeta(f, false, 'subdomain');
  const spec = f.get('spec');
  if (spec.kind() !== 'map') spec.fail('expected a PersistentVolume spec (capacity.storage, accessModes, a volume source)');
  checkFields(spec, PV_SPEC);
  const aff = spec.get('nodeAffinity');
  const required = aff.get('required');
  let nodeAffinity: PersistentVolume['spec']['nodeAffinity'];
  if (required.exists && required.kind() !== 'null') {
    const termsField = required.get('nodeSelectorTerms');
    const terms = termsField.items().map((t) => parseNodeSelectorTerm(t, 'strict'));
    if (terms.length === 0) termsField.fail('must have at least one node selector term');
    nodeAffinity = { nodeSelectorTerms: terms };
  }
  const ref = spec.get('claimRef');
  let claimRef = '';
  if (ref.exists && ref.kind() !== 'null') {
    const ns = ref.get('namespace').optStr('') || 'default';
    claimRef = `${ns}/${ref.get('name').str()}`;
  }
  return {
    kind: 'PersistentVolume',
    metadata,
    spec: {
      storage: storageOf(spec.get('capacity'), 'capacity'),
      accessModes: accessModes(spec.get('accessModes')),
      storageClassName: className(spec.get('storageClassName')),
      ...(nodeAffinity === undefined ? {} : { nodeAffinity }),
      claimRef,
      ...csiDriverOf(spec.get('csi')),
    },
    // A volume pre-bound by claimRef becomes Bound when the controller completes the binding.
    status: { phase: 'Available' },
  };
}

/** spec.csi.driver (required by ValidatePersistentVolume when csi is given). */
function csiDriverOf(csi: Field): { csiDriver?: string } {
  if (!csi.exists || csi.kind() === 'null') return {};
  const driver = csi.get('driver').str();
  if (driver === '') csi.get('driver').fail('expected the name of the CSI driver (e.g. ebs.csi.aws.com)');
  return { csiDriver: driver };
}

/**
 * storage.k8s.io/v1 CSINode (ValidateCSINode): metadata.name is the node's name; spec.drivers[].name and
 * allocatable.count (a non-negative count; absent = the driver reports no limit) are what NodeVolumeLimits reads.
 */
export function parseCSINode(f: Field): CSINode {
  checkTop(f, null);
  const metadata = parseMeta(f, false, 'subdomain');
  const spec = f.get('spec');
  if (spec.kind() !== 'map') spec.fail('expected a CSINode spec with drivers');
  spec.rejectUnknownKeys(['drivers']);
  const seen = new Set<string>();
  const drivers = spec
    .get('drivers')
    .items()
    .map((d) => {
      d.rejectUnknownKeys(['name', 'nodeID', 'topologyKeys', 'allocatable']);
      const name = d.get('name').str();
      if (name === '') d.get('name').fail('expected the name of the CSI driver');
      if (seen.has(name)) d.get('name').fail(`duplicate driver ${name}`);
      seen.add(name);
      const alloc = d.get('allocatable');
      let count: number | null = null;
      if (alloc.exists && alloc.kind() !== 'null') {
        alloc.rejectUnknownKeys(['count']);
        const c = alloc.get('count');
        if (c.exists && c.kind() !== 'null') {
          count = c.int();
          if (count < 0) c.fail('must be greater than or equal to 0');
        }
      }
      return { name, count };
    });
  return { kind: 'CSINode', metadata, spec: { drivers } };
}

export function parseStorageClass(f: Field): StorageClass {
  checkTop(f, STORAGE_CLASS);
  const metadata = parseMeta(f, false, 'subdomain');
  const provisioner = f.get('provisioner').str();
  if (provisioner === '') f.get('provisioner').fail('expected the name of a provisioner (e.g. ebs.csi.aws.com)');
  const volumeBindingMode = f.get('volumeBindingMode').optOneOf(['Immediate', 'WaitForFirstConsumer'] as const, 'Immediate');
  // allowedTopologies: TopologySelectorTerms of matchLabelExpressions (key, values), each read as In.
  const allowedTopologies = f
    .get('allowedTopologies')
    .items()
    .map((t) => {
      t.rejectUnknownKeys(['matchLabelExpressions']);
      const exprs = t.get('matchLabelExpressions').items();
      if (exprs.length === 0) t.fail('expected at least one matchLabelExpressions entry');
      return {
        matchExpressions: exprs.map((e) => {
          e.rejectUnknownKeys(['key', 'values']);
          const values = e
            .get('values')
            .items()
            .map((v) => v.scalarString());
          if (values.length === 0) e.get('values').fail('must specify as least one value');
          return { key: e.get('key').str(), operator: 'In' as const, values };
        }),
        matchFields: [],
      };
    });
  return { kind: 'StorageClass', metadata, provisioner, volumeBindingMode, allowedTopologies };
}
