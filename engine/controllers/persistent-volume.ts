/**
 * The PersistentVolume controller (pkg/controller/volume/persistentvolume/pv_controller.go syncClaim,
 * syncUnboundClaim, syncVolume) with the external provisioner (kubernetes-csi/external-provisioner) folded in.
 *
 * An unbound claim of an Immediate class (or of no class) is bound to the smallest matching available volume
 * (storage.ts findMatchingVolume); when none matches and its class can provision, a volume `pvc-<claim uid>`
 * is created after the provisioning latency (parameters.controllerManager.provisioningLatency, EST) and bound.
 * A WaitForFirstConsumer claim waits for the scheduler: the scheduler's PreBind either pre-binds a volume
 * (claimRef) or annotates the claim with volume.kubernetes.io/selected-node, and the volume is then provisioned
 * in that node's zone. A claim naming spec.volumeName is bound to that volume.
 *
 * Topology of provisioned volumes: pinned (nodeAffinity) to the selected node's topology.kubernetes.io/zone for
 * WaitForFirstConsumer; for Immediate, to one zone drawn from the class's allowedTopologies (as the provisioner
 * picks one of the allowed topologies), unpinned when the class has none (docs/model/storage.md).
 *
 * Binding writes the volume (claimRef, phase Bound) then the claim (volumeName, phase Bound), as bind() does.
 * Not modeled: the 15 s periodic resync (every change is seen through the watches), reclaim policies and
 * volume deletion, resizing, label selectors on claims (refused by the parser).
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { Informer, type Store } from '../api/informer.js';
import {
  objectKey,
  type Node,
  type NodeSelector,
  type NodeSelectorTerm,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import { sample, type Distribution } from '../core/distribution.js';
import type { RngStream } from '../core/rng.js';
import type { Simulation } from '../core/simulation.js';
import { ANN_SELECTED_NODE, ZONE_LABEL, canProvision, claimClass, claimKeyOf, defaultClassOf, findMatchingVolume } from '../api/storage.js';

export interface PersistentVolumeParams {
  readonly client: RateLimit;
  /** Time from the provisioning decision to the volume's creation (the storage backend's CreateVolume). */
  readonly provisioningLatency: Distribution;
}

export class PersistentVolumeController {
  private readonly client: Client;
  private readonly claims: Store<PersistentVolumeClaim>;
  private readonly volumes: Store<PersistentVolume>;
  private readonly classes: Store<StorageClass>;
  private readonly nodes: Store<Node>;
  /** Claims whose volume is being provisioned, or whose bind was sent (no second attempt meanwhile). */
  private readonly inFlight = new Set<string>();
  provisioned = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiServer,
    private readonly params: PersistentVolumeParams,
    private readonly rng: RngStream,
  ) {
    this.client = new Client('persistent-volume-binder', params.client);
    const claims = new Informer<PersistentVolumeClaim>({ add: (c) => this.syncClaim(c), update: (_, c) => this.syncClaim(c) });
    const volumes = new Informer<PersistentVolume>({ add: (v) => this.syncVolume(v), update: (_, v) => this.syncVolume(v) });
    const classes = new Informer<StorageClass>({ add: () => this.resyncClaims(), update: () => this.resyncClaims() });
    const nodes = new Informer<Node>({});
    this.claims = claims.cache;
    this.volumes = volumes.cache;
    this.classes = classes.cache;
    this.nodes = nodes.cache;
    api.watch('StorageClass', 'persistent-volume-binder/storageclasses', classes.onEvent);
    api.watch('PersistentVolume', 'persistent-volume-binder/persistentvolumes', volumes.onEvent);
    api.watch('PersistentVolumeClaim', 'persistent-volume-binder/persistentvolumeclaims', claims.onEvent);
    api.watch('Node', 'persistent-volume-binder/nodes', nodes.onEvent);
  }

  private resyncClaims(): void {
    for (const c of this.claims.values()) this.syncClaim(c);
  }

  /** syncClaim → syncUnboundClaim. */
  private syncClaim(pvc: PersistentVolumeClaim): void {
    if (pvc.status.phase === 'Bound') return;
    const key = claimKeyOf(pvc.metadata.namespace, pvc.metadata.name);
    if (this.inFlight.has(key)) return;
    if (pvc.spec.volumeName !== '') {
      // Pre-bound claim (or a bind interrupted half-way): bind to that volume when it is free for us.
      const pv = this.volumes.get(objectKey('PersistentVolume', '', pvc.spec.volumeName));
      if (pv !== undefined && (pv.spec.claimRef === '' || pv.spec.claimRef === key)) this.bind(pv, pvc);
      return;
    }
    const className = claimClass(pvc, defaultClassOf(this.classes.values()));
    const sc = className === '' ? undefined : this.classes.get(objectKey('StorageClass', '', className));
    // A volume pre-bound to this claim (by its claimRef: the scheduler's PreBind, or the user).
    const wffc = sc?.volumeBindingMode === 'WaitForFirstConsumer';
    const selected = pvc.metadata.annotations[ANN_SELECTED_NODE];
    for (const pv of this.volumes.values()) if (pv.spec.claimRef === key) return this.bind(pv, pvc);
    if (wffc) {
      // delayBinding: nothing to do until the scheduler has chosen a node.
      if (selected === undefined || !canProvision(sc)) return;
      const node = this.nodes.get(objectKey('Node', '', selected));
      const zone = node?.metadata.labels[ZONE_LABEL];
      this.provision(pvc, className, zone === undefined ? undefined : zoneAffinity(zone));
      return;
    }
    const pv = findMatchingVolume(pvc, className, this.volumes.values(), null);
    if (pv !== undefined) return this.bind(pv, pvc);
    if (sc === undefined || !canProvision(sc)) return;
    this.provision(pvc, className, pickTopology(sc.allowedTopologies, this.rng));
  }

  /** syncVolume: a volume whose claimRef names an unbound claim completes that claim's binding. */
  private syncVolume(pv: PersistentVolume): void {
    if (pv.spec.claimRef === '') {
      // A new available volume may serve a waiting Immediate claim.
      if (pv.status.phase === 'Available') this.resyncClaims();
      return;
    }
    const slash = pv.spec.claimRef.indexOf('/');
    const pvc = this.claims.get(objectKey('PersistentVolumeClaim', pv.spec.claimRef.slice(0, slash), pv.spec.claimRef.slice(slash + 1)));
    if (pvc === undefined || pvc.status.phase === 'Bound') return;
    this.inFlight.delete(pv.spec.claimRef);
    this.bind(pv, pvc);
  }

  /** bind(): the volume's claimRef and phase, then the claim's volumeName and phase. */
  private bind(pv: PersistentVolume, pvc: PersistentVolumeClaim): void {
    const key = claimKeyOf(pvc.metadata.namespace, pvc.metadata.name);
    this.inFlight.add(key);
    this.api.update(
      this.client,
      'PersistentVolume',
      objectKey('PersistentVolume', '', pv.metadata.name),
      (cur) =>
        cur.kind !== 'PersistentVolume' || (cur.spec.claimRef !== '' && cur.spec.claimRef !== key)
          ? null
          : cur.spec.claimRef === key && cur.status.phase === 'Bound'
            ? null
            : { ...cur, spec: { ...cur.spec, claimRef: key }, status: { phase: 'Bound' } },
      (r) => {
        const taken = r.object?.kind === 'PersistentVolume' && r.object.spec.claimRef !== key;
        if (!r.ok || taken) {
          this.inFlight.delete(key);
          return;
        }
        this.api.update(
          this.client,
          'PersistentVolumeClaim',
          objectKey('PersistentVolumeClaim', pvc.metadata.namespace, pvc.metadata.name),
          (cur) =>
            cur.kind !== 'PersistentVolumeClaim' || cur.status.phase === 'Bound'
              ? null
              : { ...cur, spec: { ...cur.spec, volumeName: pv.metadata.name }, status: { phase: 'Bound' } },
          () => this.inFlight.delete(key),
        );
      },
    );
  }

  /** provisionClaimOperation: after the backend's latency, a volume of the claim's size, pre-bound to it. */
  private provision(pvc: PersistentVolumeClaim, className: string, nodeAffinity: NodeSelector | undefined): void {
    const key = claimKeyOf(pvc.metadata.namespace, pvc.metadata.name);
    this.inFlight.add(key);
    const pv: PersistentVolume = {
      kind: 'PersistentVolume',
      metadata: {
        name: `pvc-${pvc.metadata.uid}`,
        namespace: '',
        uid: '',
        labels: {},
        annotations: { 'pv.kubernetes.io/provisioned-by': this.classes.get(objectKey('StorageClass', '', className))?.provisioner ?? '' },
        ownerReferences: [],
        creationTimestamp: 0,
        resourceVersion: 0,
      },
      spec: {
        storage: pvc.spec.storage,
        accessModes: pvc.spec.accessModes,
        storageClassName: className,
        ...(nodeAffinity === undefined ? {} : { nodeAffinity }),
        claimRef: key,
      },
      status: { phase: 'Bound' },
    };
    this.sim.callAfter(sample(this.params.provisioningLatency, this.rng), () => {
      this.provisioned++;
      this.api.create(this.client, pv, (r) => {
        // The PV's watch event completes the binding (syncVolume); a failed create is retried on the next change.
        if (!r.ok) this.inFlight.delete(key);
      });
    });
  }
}

function zoneAffinity(zone: string): NodeSelector {
  return { nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE_LABEL, operator: 'In', values: [zone] }], matchFields: [] }] };
}

/** One topology of the allowed ones: a term, each of its In requirements narrowed to one value; none = unpinned. */
function pickTopology(terms: readonly NodeSelectorTerm[], rng: RngStream): NodeSelector | undefined {
  if (terms.length === 0) return undefined;
  const t = terms[Math.floor(rng.next() * terms.length)];
  const matchExpressions = t.matchExpressions.map((r) =>
    r.operator === 'In' && r.values.length > 1 ? { ...r, values: [r.values[Math.floor(rng.next() * r.values.length)]] } : r,
  );
  return { nodeSelectorTerms: [{ matchExpressions, matchFields: [] }] };
}
