/**
 * Deployment controller (pkg/controller/deployment): for each Deployment, a ReplicaSet named
 * `<deployment>-<pod-template-hash>` whose template and selector carry the pod-template-hash label, scaled to
 * spec.replicas. Rolling updates between template revisions are not modeled yet (README).
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { Informer } from '../api/informer.js';
import { keyOf, objectKey, type Deployment, type ReplicaSet } from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import { podTemplateHash } from './names.js';
import { WorkQueue } from './work-queue.js';

export interface DeploymentParams {
  readonly client: RateLimit;
  readonly workers: number;
}

const POD_TEMPLATE_HASH = 'pod-template-hash';

export class DeploymentController {
  private readonly client: Client;
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly queue: WorkQueue;

  constructor(
    private readonly api: ApiServer,
    params: DeploymentParams,
  ) {
    this.client = new Client('deployment-controller', params.client);
    this.queue = new WorkQueue(params.workers, (key, done) => this.sync(key, done));
    this.deployments = new Informer<Deployment>({
      add: (d) => this.queue.add(keyOf(d)),
      update: (_o, d) => this.queue.add(keyOf(d)),
    });
    api.watch('Deployment', 'deployment-controller/deployments', this.deployments.onEvent);
    this.replicaSets = new Informer<ReplicaSet>({});
    api.watch('ReplicaSet', 'deployment-controller/replicasets', this.replicaSets.onEvent);
  }

  private sync(key: string, done: () => void): void {
    const d = this.deployments.cache.get(key);
    if (d === undefined) {
      done();
      return;
    }
    const hash = podTemplateHash(JSON.stringify(d.spec.template));
    const name = `${d.metadata.name}-${hash}`;
    const existing = this.replicaSets.cache.get(objectKey('ReplicaSet', d.metadata.namespace, name));
    if (existing === undefined) {
      const labels = { ...d.spec.template.labels, [POD_TEMPLATE_HASH]: hash };
      const rs: ReplicaSet = {
        kind: 'ReplicaSet',
        metadata: {
          name,
          namespace: d.metadata.namespace,
          uid: '',
          labels,
          annotations: {},
          ownerReferences: [{ kind: 'Deployment', name: d.metadata.name, uid: d.metadata.uid, controller: true }],
          creationTimestamp: 0,
          resourceVersion: 0,
        },
        spec: {
          replicas: d.spec.replicas,
          selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector.matchLabels, [POD_TEMPLATE_HASH]: hash } },
          template: { ...d.spec.template, labels },
        },
      };
      this.api.create(this.client, rs, () => done());
    } else if (existing.spec.replicas !== d.spec.replicas) {
      const replicas = d.spec.replicas;
      this.api.update(this.client, 'ReplicaSet', keyOf(existing), (cur) =>
        cur.kind === 'ReplicaSet' ? { ...cur, spec: { ...cur.spec, replicas } } : null,
      () => done());
    } else done();
  }
}
