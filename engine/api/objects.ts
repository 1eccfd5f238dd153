/**
 * The Kubernetes object model as the simulation stores it: the fields of core/v1 and apps/v1 objects that
 * some modeled component reads, already parsed (quantities as integers: cpu in millicores, memory and
 * storage in bytes, other resources as integer counts; times in virtual microseconds).
 *
 * Stored objects are immutable: an update replaces the object, so informer caches can share references.
 */
import type { Micros } from '../core/time.js';

/** Resource name → integer amount. Presence matters: upstream substitutes non-zero defaults only for absent keys. */
export type ResourceList = Readonly<Record<string, number>>;

export interface OwnerReference {
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller: boolean;
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly ownerReferences: readonly OwnerReference[];
  /** Set by the API server when it accepts the create. */
  readonly creationTimestamp: Micros;
  /** etcd modRevision of this version. */
  readonly resourceVersion: number;
  readonly deletionTimestamp?: Micros;
}

export interface Taint {
  readonly key: string;
  readonly value: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface Toleration {
  readonly key: string;
  readonly operator: 'Equal' | 'Exists';
  readonly value: string;
  /** '' tolerates every effect. */
  readonly effect: '' | 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  readonly tolerationSeconds?: number;
}

export interface ContainerPort {
  readonly containerPort: number;
  readonly hostPort: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly requests: ResourceList;
  readonly limits: ResourceList;
  readonly ports: readonly ContainerPort[];
  /** 'Always' on an init container makes it a sidecar. */
  readonly restartPolicy?: 'Always';
}

export interface PodSpec {
  readonly containers: readonly Container[];
  readonly initContainers: readonly Container[];
  readonly nodeName: string;
  readonly schedulerName: string;
  readonly priorityClassName: string;
  /** Resolved from priorityClassName by the API server's Priority admission plugin. */
  readonly priority: number;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  readonly restartPolicy: 'Always' | 'OnFailure' | 'Never';
  readonly overhead: ResourceList;
  readonly terminationGracePeriodSeconds: number;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface PodStatus {
  readonly phase: PodPhase;
  readonly ready: boolean;
  /** Set by the kubelet when it starts the pod. */
  readonly startTime?: Micros;
  /** lastTransitionTime of the Ready condition when it became True. */
  readonly readyTime?: Micros;
  readonly reason?: string;
  readonly message?: string;
}

export interface Pod {
  readonly kind: 'Pod';
  readonly metadata: ObjectMeta;
  readonly spec: PodSpec;
  readonly status: PodStatus;
}

export interface ContainerImage {
  readonly names: readonly string[];
  readonly sizeBytes: number;
}

export interface Node {
  readonly kind: 'Node';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly unschedulable: boolean; readonly taints: readonly Taint[] };
  readonly status: {
    readonly capacity: ResourceList;
    readonly allocatable: ResourceList;
    readonly images: readonly ContainerImage[];
    readonly ready: boolean;
  };
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly LabelSelectorRequirement[];
}

/** A pod template as it appears in workload controllers: metadata without identity, plus a PodSpec. */
export interface PodTemplate {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: PodSpec;
}

export interface ReplicaSet {
  readonly kind: 'ReplicaSet';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly replicas: number; readonly selector: LabelSelector; readonly template: PodTemplate };
}

export interface Deployment {
  readonly kind: 'Deployment';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly replicas: number;
    readonly selector: LabelSelector;
    readonly template: PodTemplate;
  };
}

export interface ServicePort {
  readonly name: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

export interface Service {
  readonly kind: 'Service';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly selector: Readonly<Record<string, string>>; readonly ports: readonly ServicePort[] };
}

/** One object per Service (the simulation does not split endpoints into slices of 100). */
export interface Endpoints {
  readonly kind: 'Endpoints';
  readonly metadata: ObjectMeta;
  /** Names of ready pods backing the service, sorted. */
  readonly ready: readonly string[];
  /**
   * endpoints.kubernetes.io/last-change-trigger-time: the earliest pod change folded into this version,
   * from which kube-proxy measures network programming latency.
   */
  readonly lastChangeTriggerTime: Micros;
}

export interface PriorityClass {
  readonly kind: 'PriorityClass';
  readonly metadata: ObjectMeta;
  readonly value: number;
  readonly globalDefault: boolean;
  readonly preemptionPolicy: 'PreemptLowerPriority' | 'Never';
}

export type KubeObject = Pod | Node | ReplicaSet | Deployment | Service | Endpoints | PriorityClass;
export type Kind = KubeObject['kind'];

/** etcd key of an object, as the API server's storage layer lays them out (`/registry/<resource>/<ns>/<name>`). */
export function objectKey(kind: Kind, namespace: string, name: string): string {
  return namespace === '' ? `${kind}/${name}` : `${kind}/${namespace}/${name}`;
}

export function keyOf(o: KubeObject): string {
  return objectKey(o.kind, o.metadata.namespace, o.metadata.name);
}

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export function selectorMatches(sel: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const k in sel.matchLabels) if (labels[k] !== sel.matchLabels[k]) return false;
  for (const r of sel.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.operator) {
      case 'In':
        if (!has || !r.values.includes(labels[r.key])) return false;
        break;
      case 'NotIn':
        if (has && r.values.includes(labels[r.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Service selectors are plain maps; an empty selector selects nothing (the endpoints controller skips it). */
export function mapSelectorMatches(sel: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  let any = false;
  for (const k in sel) {
    any = true;
    if (labels[k] !== sel[k]) return false;
  }
  return any;
}

export function isTerminal(p: Pod): boolean {
  return p.status.phase === 'Succeeded' || p.status.phase === 'Failed';
}
