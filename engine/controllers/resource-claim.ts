/**
 * The resource-claim controller (pkg/controller/resourceclaim/controller.go syncPod, handleClaim, syncClaim):
 *
 * - a pod's spec.resourceClaims entry with resourceClaimTemplateName gets a ResourceClaim stamped from the
 *   template (its labels, annotations and spec), owned by the pod (controller ownerReference with the pod's uid),
 *   created while the pod is not done and not being deleted. kubesim names it `<pod>-<claim>` (upstream uses
 *   generateName and records the generated name in pod.status.resourceClaimStatuses; docs/model/dynamic-resources.md);
 * - when a pod the claim is reserved for is done (Succeeded/Failed) or deleted, it is removed from the claim's
 *   status.reservedFor, and a claim reserved for nobody loses its status.allocation (deallocation: its devices
 *   are free again); a claim generated for that pod is then deleted (the garbage collector's part folded in).
 *
 * Changes are seen through the watches at once (no work queue delay); the writes go through the controller's
 * rate-limited client.
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { Informer, type Store } from '../api/informer.js';
import { isTerminal, keyOf, objectKey, type Pod, type ResourceClaim, type ResourceClaimTemplate } from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import type { SharedInformer } from './shared-informer.js';
import { generatedClaimName, isClaimForPod } from '../api/resource-claim.js';

export interface ResourceClaimParams {
  readonly client: RateLimit;
}

export class ResourceClaimController {
  private readonly client: Client;
  private readonly claims: Store<ResourceClaim>;
  private readonly templates: Store<ResourceClaimTemplate>;
  /** Claims whose create was sent and not yet seen (no second create meanwhile). */
  private readonly creating = new Set<string>();
  /** Pods (uid) whose release was started, so a later update of the same pod does not repeat it. */
  private readonly released = new Set<string>();
  created = 0;
  deallocated = 0;

  constructor(
    private readonly api: ApiServer,
    params: ResourceClaimParams,
    private readonly pods: SharedInformer<Pod>,
  ) {
    this.client = new Client('resource-claim-controller', params.client);
    const templates = new Informer<ResourceClaimTemplate>({ add: () => this.resyncPods(), update: () => this.resyncPods() });
    const claims = new Informer<ResourceClaim>({
      add: (_c, key) => {
        this.creating.delete(key);
      },
      // A claim reserved for a pod that is already gone (its release ran before the reservation was written).
      update: (_, c) => this.syncClaim(c),
      // A pod recreated under the same name (a StatefulSet's) waits for its predecessor's claim to go, then gets its own.
      delete: (c) => {
        const owner = c.metadata.ownerReferences.find((o) => o.controller && o.kind === 'Pod');
        const pod = owner === undefined ? undefined : this.pods.cache.get(objectKey('Pod', c.metadata.namespace, owner.name));
        if (pod !== undefined) this.syncPod(pod);
      },
    });
    this.templates = templates.cache;
    this.claims = claims.cache;
    api.watch('ResourceClaimTemplate', 'resource-claim-controller/resourceclaimtemplates', templates.onEvent);
    api.watch('ResourceClaim', 'resource-claim-controller/resourceclaims', claims.onEvent);
    pods.addHandlers({
      add: (p) => this.syncPod(p),
      update: (_, p) => this.syncPod(p),
      delete: (p) => this.podGone(p),
    });
  }

  private resyncPods(): void {
    for (const p of this.pods.cache.values()) this.syncPod(p);
  }

  /** syncPod: create missing template claims; release the claims of a finished pod. */
  private syncPod(pod: Pod): void {
    const refs = pod.spec.resourceClaims;
    if (refs === undefined) return;
    if (isTerminal(pod)) return this.podGone(pod);
    if (pod.metadata.deletionTimestamp !== undefined) return;
    for (const r of refs) {
      if (r.resourceClaimTemplateName === undefined) continue;
      const name = generatedClaimName(pod.metadata.name, r.name);
      const key = objectKey('ResourceClaim', pod.metadata.namespace, name);
      if (this.claims.get(key) !== undefined || this.creating.has(key)) continue;
      const tpl = this.templates.get(objectKey('ResourceClaimTemplate', pod.metadata.namespace, r.resourceClaimTemplateName));
      // A missing template: retried when it is created (upstream requeues the pod with backoff).
      if (tpl === undefined) continue;
      this.creating.add(key);
      this.created++;
      const claim: ResourceClaim = {
        kind: 'ResourceClaim',
        metadata: {
          name,
          namespace: pod.metadata.namespace,
          uid: '',
          labels: tpl.spec.labels,
          annotations: { ...tpl.spec.annotations, 'resource.kubernetes.io/pod-claim-name': r.name },
          ownerReferences: [{ kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid, controller: true }],
          creationTimestamp: 0,
          resourceVersion: 0,
        },
        spec: tpl.spec.spec,
        status: { reservedFor: [] },
      };
      this.api.create(this.client, claim, (res) => {
        if (!res.ok) this.creating.delete(key);
      });
    }
  }

  /** The pod is done or deleted: drop it from every claim reserved for it, deallocate, delete its own claims. */
  private podGone(pod: Pod): void {
    if (pod.spec.resourceClaims === undefined || this.released.has(pod.metadata.uid)) return;
    this.released.add(pod.metadata.uid);
    for (const c of this.claims.values()) {
      if (c.metadata.namespace !== pod.metadata.namespace) continue;
      const reserved = c.status.reservedFor.some((r) => r.uid === pod.metadata.uid);
      const own = isClaimForPod(c, pod);
      if (!reserved && !own) continue;
      this.release(c, own ? pod.metadata.uid : null, (u) => u === pod.metadata.uid);
    }
  }

  /** A claim updated with a reservation for a pod that is gone: release it too (syncClaim's reservedFor cleanup). */
  private syncClaim(c: ResourceClaim): void {
    const gone = (uid: string): boolean => this.released.has(uid);
    if (!c.status.reservedFor.some((r) => gone(r.uid))) return;
    const owner = c.metadata.ownerReferences.find((o) => o.controller && o.kind === 'Pod');
    this.release(c, owner !== undefined && gone(owner.uid) ? owner.uid : null, gone);
  }

  /**
   * Removes the gone pods from reservedFor (an UpdateStatus), clearing the allocation when no consumer is left;
   * then, when `ownerUid` is set, deletes the claim (it was generated for that pod).
   */
  private release(c: ResourceClaim, ownerUid: string | null, gone: (uid: string) => boolean): void {
    const key = keyOf(c);
    const remove = (): void => {
      if (ownerUid !== null) this.api.delete(this.client, 'ResourceClaim', key);
    };
    if (!c.status.reservedFor.some((r) => gone(r.uid))) return remove();
    this.api.update(
      this.client,
      'ResourceClaim',
      key,
      (cur) => {
        if (cur.kind !== 'ResourceClaim') return null;
        const reservedFor = cur.status.reservedFor.filter((r) => !gone(r.uid));
        if (reservedFor.length === cur.status.reservedFor.length) return null;
        if (reservedFor.length > 0) return { ...cur, status: { ...cur.status, reservedFor } };
        this.deallocated++;
        return { ...cur, status: { reservedFor } };
      },
      remove,
    );
  }
}
