/**
 * A dump of a real cluster (`kubectl get nodes,pods,deployments,replicasets,... -A -o yaml`: a `kind: List`,
 * or several documents) → the starting state of a run: every Node becomes a node of the simulated cluster,
 * every pod that runs on a node is created bound to it at t = 0, pending pods are created unbound (the
 * scheduler places them), and the controllers and Services of the dump are created at t = 0 too.
 *
 * Server-populated fields are read where they mean something and otherwise tolerated without a warning:
 * - a pod's status.phase: Succeeded and Failed pods are left out (they hold no resources, and a completed
 *   Job pod is not re-run by anything kubesim models); status.conditions, containerStatuses, podIP: ignored
 *   (the simulated kubelet starts the pod and reports its own);
 * - metadata.uid, resourceVersion, creationTimestamp, managedFields, generation: ignored, the simulated API
 *   server assigns its own;
 * - metadata.ownerReferences name uids of the real cluster. A controller reference to a ReplicaSet, Deployment
 *   or Job that is in the dump is kept (by name, with its uid left for the simulated API server), so the
 *   simulated controller counts the running pods as its own and creates none; a reference to an owner that
 *   is not in the dump is dropped and the pod runs as a bare pod (nothing recreates it).
 * - a Node's status: capacity, allocatable and images are used (images are cached on the node); conditions are
 *   not read: a NotReady node of a real cluster carries the node.kubernetes.io/not-ready taint in spec.taints,
 *   which is honoured.
 * Objects of kinds kubesim does not model are stored (NotModeled); kinds it refuses (kinds.ts) are errors.
 */
import type { KubeObject, Node, OwnerReference, Pod } from '../../api/objects.js';
import { keyOf } from '../../api/objects.js';
import type { NotModeled } from '../kinds.js';
import { parsePlacedManifests, type PlacedObject } from '../manifests.js';
import type { TimedObject } from '../types.js';
import type { NodePool } from '../../cloud/node-pool.js';
import type { Field } from '../yaml-field.js';

export interface ClusterDump {
  /** One pool per Node of the dump (a named single node). */
  readonly nodePools: readonly NodePool[];
  /** Objects created at t = 0, before the scenario's own: PriorityClasses, pods, Services, then controllers. */
  readonly objects: readonly TimedObject[];
  /** Pods of the dump left out because they had finished (Succeeded or Failed). */
  readonly finishedPods: number;
}

/**
 * Creation waves: what pods need first (their priority class), pods before their owners, owners before theirs,
 * so each controller finds the objects it owns already in its informer cache (as after WaitForCacheSync in a
 * real controller manager) and creates nothing.
 */
const ORDER: readonly KubeObject['kind'][] = ['PriorityClass', 'Pod', 'Service', 'ReplicaSet', 'Job', 'Deployment'];
const WAVE: Readonly<Record<string, number>> = { PriorityClass: 0, Pod: 1, Service: 1, ReplicaSet: 2, Job: 2, Deployment: 3 };

const OWNER_KINDS = new Set(['ReplicaSet', 'Deployment', 'Job']);

/** The documents of one or more dump files; `knownNodes` are the scenario's own node names (a clash is an error). */
export function parseClusterDump(docs: readonly Field[], notModeled: NotModeled, knownNodes: ReadonlySet<string>): ClusterDump {
  const placed: PlacedObject[] = docs.filter((d) => d.kind() !== 'null').flatMap((d) => parsePlacedManifests(d, notModeled));
  const keys = new Map<string, Field>();
  for (const p of placed) {
    const key = keyOf(p.object);
    if (keys.has(key))
      p.at
        .get('metadata')
        .get('name')
        .fail(
          `duplicate ${p.object.kind} ${p.object.metadata.namespace === '' ? '' : `${p.object.metadata.namespace}/`}${p.object.metadata.name} in the cluster dump`,
        );
    keys.set(key, p.at);
  }
  const nodePools: NodePool[] = [];
  const nodeNames = new Set<string>();
  for (const p of placed) {
    if (p.object.kind !== 'Node') continue;
    const node: Node = p.object;
    const name = node.metadata.name;
    if (knownNodes.has(name))
      p.at.get('metadata').get('name').fail(`node "${name}" of the cluster dump clashes with a node of the scenario's node pools`);
    nodeNames.add(name);
    nodePools.push({ name, count: 1, template: node, namedSingle: true, zones: [], autoscaling: null });
  }
  let finishedPods = 0;
  const objects: TimedObject[] = [];
  for (const kind of ORDER) {
    for (const p of placed) {
      const o = p.object;
      if (o.kind !== kind) continue;
      if (o.kind === 'Pod') {
        if (isFinished(p.at)) {
          finishedPods++;
          continue;
        }
        const nodeName = o.spec.nodeName;
        if (nodeName !== '' && !nodeNames.has(nodeName) && !knownNodes.has(nodeName)) {
          p.at
            .get('spec')
            .get('nodeName')
            .fail(
              `pod ${o.metadata.namespace}/${o.metadata.name} runs on node "${nodeName}", which is neither in the dump nor in the scenario's node pools; add the node (kubectl get nodes -o yaml)`,
            );
        }
        const pod: Pod = { ...o, metadata: { ...o.metadata, ownerReferences: ownersInDump(p.at, o.metadata.namespace, keys) } };
        objects.push({ at: 0, object: pod, wave: WAVE.Pod });
        continue;
      }
      if (o.kind === 'Node' || o.kind === 'Endpoints' || o.kind === 'Lease') continue;
      const owners = o.kind === 'ReplicaSet' ? ownersInDump(p.at, o.metadata.namespace, keys) : o.metadata.ownerReferences;
      objects.push({
        at: 0,
        object: { ...o, metadata: { ...o.metadata, ownerReferences: owners } } as TimedObject['object'],
        wave: WAVE[o.kind],
      });
    }
  }
  return { nodePools, objects, finishedPods };
}

/** A pod manifest whose status.phase says it has finished (Succeeded or Failed): it holds no resources. */
export function isFinished(pod: Field): boolean {
  const phase = pod
    .get('status')
    .get('phase')
    .optOneOf(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const, 'Pending');
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The object's controller reference, kept when its owner is in the dump (see the module comment). */
function ownersInDump(at: Field, namespace: string, keys: ReadonlyMap<string, Field>): OwnerReference[] {
  for (const ref of at.get('metadata').get('ownerReferences').items()) {
    if (!ref.get('controller').optBool(false)) continue;
    const kind = ref.get('kind').optStr('');
    const name = ref.get('name').optStr('');
    if (OWNER_KINDS.has(kind) && keys.has(`${kind}/${namespace}/${name}`)) return [{ kind, name, uid: '', controller: true }];
  }
  return [];
}
