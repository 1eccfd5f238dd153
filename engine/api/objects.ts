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
  /** Set by a graceful DELETE: when the grace period ends (api/graceful-delete.ts). */
  readonly deletionTimestamp?: Micros;
  readonly deletionGracePeriodSeconds?: number;
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
  /** Host IP a hostPort binds to; absent or '' = 0.0.0.0 (every address). */
  readonly hostIP?: string;
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly requests: ResourceList;
  readonly limits: ResourceList;
  readonly ports: readonly ContainerPort[];
  /** 'Always' on an init container makes it a sidecar. */
  readonly restartPolicy?: 'Always';
  /** An explicit Always or Never; absent = IfNotPresent (see docs/model/pod-lifecycle.md on the defaulting). */
  readonly imagePullPolicy?: 'Always' | 'Never';
  /** Only the timing of probes is read (the probed application is taken to answer from its first probe). */
  readonly readinessProbe?: ProbeTiming;
  readonly startupProbe?: ProbeTiming;
}

/** core/v1 Probe timing, defaulted as SetDefaults_Probe: periodSeconds 10, successThreshold 1. */
export interface ProbeTiming {
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly successThreshold: number;
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
  /**
   * spec.resources: pod-level requests and limits (feature PodLevelResources; cpu, memory, hugepages-*), with the
   * API server's defaulting applied; absent when the manifest has none.
   */
  readonly resources?: PodLevelResources;
  readonly terminationGracePeriodSeconds: number;
  /** spec.affinity; absent when the manifest has none. */
  readonly affinity?: Affinity;
  /** spec.topologySpreadConstraints; absent when the manifest has none. */
  readonly topologySpreadConstraints?: readonly TopologySpreadConstraint[];
  /**
   * spec.preemptionPolicy: set from the PriorityClass by the API server's Priority admission when the pod
   * names none; absent = PreemptLowerPriority (the API default).
   */
  readonly preemptionPolicy?: PreemptionPolicy;
  /** spec.schedulingGates (names); absent when none. The scheduler leaves the pod alone until it is empty. */
  readonly schedulingGates?: readonly string[];
  /**
   * The claim names of spec.volumes[].persistentVolumeClaim, in volume order (engine/api/storage.ts); absent
   * when the pod mounts none, so other specs (and their pod-template-hash) are unchanged.
   */
  readonly claims?: readonly string[];
  /**
   * spec.resourceClaims (Dynamic Resource Allocation, resource.k8s.io/v1): each names an existing ResourceClaim or
   * a ResourceClaimTemplate the resource-claim controller stamps a claim from; absent when the pod has none.
   */
  readonly resourceClaims?: readonly PodResourceClaim[];
}

/** core/v1 PodResourceClaim: exactly one of resourceClaimName and resourceClaimTemplateName is set. */
export interface PodResourceClaim {
  readonly name: string;
  readonly resourceClaimName?: string;
  readonly resourceClaimTemplateName?: string;
}

export interface PodLevelResources {
  readonly requests: ResourceList;
  readonly limits: ResourceList;
}

export type PreemptionPolicy = 'PreemptLowerPriority' | 'Never';

export interface Affinity {
  readonly nodeAffinity?: NodeAffinity;
  readonly podAffinity?: PodAffinity;
  readonly podAntiAffinity?: PodAffinity;
}

/** core/v1 PodAffinity and PodAntiAffinity have the same shape. */
export interface PodAffinity {
  readonly required: readonly PodAffinityTerm[];
  readonly preferred: readonly WeightedPodAffinityTerm[];
}

export interface PodAffinityTerm {
  /** Absent (nil) selects no pod. */
  readonly labelSelector?: LabelSelector;
  /** Empty with no namespaceSelector = the pod's own namespace. */
  readonly namespaces: readonly string[];
  /** Absent (nil) = no namespace by selector; {} = every namespace. */
  readonly namespaceSelector?: LabelSelector;
  readonly topologyKey: string;
  /** Label keys whose values in the owning pod's labels are ANDed into the selector as `key in (value)`. */
  readonly matchLabelKeys: readonly string[];
  /** Likewise as `key notin (value)`. */
  readonly mismatchLabelKeys: readonly string[];
}

export interface WeightedPodAffinityTerm {
  /** 1..100 */
  readonly weight: number;
  readonly term: PodAffinityTerm;
}

export type NodeInclusionPolicy = 'Honor' | 'Ignore';

/** core/v1 TopologySpreadConstraint. */
export interface TopologySpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  /** Absent (nil) selects no pod. */
  readonly labelSelector?: LabelSelector;
  /** Absent = 1 (the scheduler's treatment of nil). */
  readonly minDomains?: number;
  /** Absent = Honor. */
  readonly nodeAffinityPolicy?: NodeInclusionPolicy;
  /** Absent = Ignore. */
  readonly nodeTaintsPolicy?: NodeInclusionPolicy;
  readonly matchLabelKeys: readonly string[];
}

/** core/v1 NodeAffinity. */
export interface NodeAffinity {
  /** requiredDuringSchedulingIgnoredDuringExecution; absent = no requirement. */
  readonly required?: NodeSelector;
  /** preferredDuringSchedulingIgnoredDuringExecution; absent = none given. */
  readonly preferred?: readonly PreferredSchedulingTerm[];
}

/** Terms are ORed. */
export interface NodeSelector {
  readonly nodeSelectorTerms: readonly NodeSelectorTerm[];
}

/** Requirements are ANDed; a term with neither list matches no node. */
export interface NodeSelectorTerm {
  readonly matchExpressions: readonly NodeSelectorRequirement[];
  /** Only metadata.name with In/NotIn and exactly one value (API validation). */
  readonly matchFields: readonly NodeSelectorRequirement[];
}

export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  readonly values: readonly string[];
}

export interface PreferredSchedulingTerm {
  /** 1..100 */
  readonly weight: number;
  readonly preference: NodeSelectorTerm;
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
  /** status.nominatedNodeName, written by the scheduler after a preemption. */
  readonly nominatedNodeName?: string;
  /**
   * The PodScheduled=False condition with reason SchedulingGated, set by the API server when a pod is created
   * with scheduling gates (pkg/registry/core/pod/strategy.go applySchedulingGatedCondition).
   */
  readonly schedulingGated?: boolean;
  /** Reason of the DisruptionTarget condition (e.g. PreemptionByScheduler), set before an eviction. */
  readonly disruptionTarget?: string;
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

export interface ReplicaSetStatus {
  /** Active (not terminal, not deleting) pods owned by the ReplicaSet. */
  readonly replicas: number;
  readonly readyReplicas: number;
  /** Ready pods that have been Ready for spec.minReadySeconds (podutil.IsPodAvailable). */
  readonly availableReplicas: number;
}

export interface ReplicaSet {
  readonly kind: 'ReplicaSet';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly replicas: number;
    readonly selector: LabelSelector;
    readonly template: PodTemplate;
    /** spec.minReadySeconds: a pod counts as available this long after it became Ready; absent = 0. */
    readonly minReadySeconds?: number;
  };
  readonly status: ReplicaSetStatus;
}

export const EMPTY_REPLICASET_STATUS: ReplicaSetStatus = { replicas: 0, readyReplicas: 0, availableReplicas: 0 };

/** An IntOrString field such as maxSurge: an absolute count or a percentage of replicas. */
export interface IntOrPercent {
  readonly value: number;
  readonly percent: boolean;
}

export type DeploymentStrategy =
  | { readonly type: 'Recreate' }
  | { readonly type: 'RollingUpdate'; readonly maxSurge: IntOrPercent; readonly maxUnavailable: IntOrPercent };

/** pkg/apis/apps/v1/defaults.go SetDefaults_Deployment: RollingUpdate with 25% surge and 25% unavailable. */
export const DEFAULT_DEPLOYMENT_STRATEGY: DeploymentStrategy = {
  type: 'RollingUpdate',
  maxSurge: { value: 25, percent: true },
  maxUnavailable: { value: 25, percent: true },
};

export interface Deployment {
  readonly kind: 'Deployment';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly replicas: number;
    readonly selector: LabelSelector;
    readonly template: PodTemplate;
    readonly strategy: DeploymentStrategy;
    /** spec.minReadySeconds, copied to the Deployment's ReplicaSets; absent = 0. */
    readonly minReadySeconds?: number;
    /** spec.paused: no rollout of a new template (scaling still applies); absent = false. */
    readonly paused?: boolean;
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

/**
 * pkg/apis/scheduling/types.go SystemPriorityClasses: the only classes allowed the "system-" prefix, which
 * kube-apiserver creates at start (pkg/registry/scheduling/rest/storage_scheduling.go AddSystemPriorityClasses).
 */
export const SYSTEM_PRIORITY_CLASSES: ReadonlyMap<string, number> = new Map([
  ['system-cluster-critical', 2_000_000_000],
  ['system-node-critical', 2_000_001_000],
]);

export interface JobStatus {
  readonly active: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Set when the Job reached its Complete or Failed condition. */
  readonly finished?: { readonly type: 'Complete' | 'Failed'; readonly at: Micros; readonly reason: string };
  /** status.startTime: when the Job last started (unsuspended); absent while suspended. */
  readonly startTime?: Micros;
}

export interface Job {
  readonly kind: 'Job';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly parallelism: number;
    /** null: a work-queue Job, complete once a pod succeeded and none is active. */
    readonly completions: number | null;
    readonly backoffLimit: number;
    readonly template: PodTemplate;
    /** spec.completionMode Indexed: one pod per completion index (absent = NonIndexed). */
    readonly completionMode?: 'Indexed';
    /** spec.suspend: no pods are created and active ones are deleted while true (absent = false). */
    readonly suspend?: boolean;
    /** spec.activeDeadlineSeconds: the Job fails with DeadlineExceeded this long after it started (absent = none). */
    readonly activeDeadlineSeconds?: number;
  };
  readonly status: JobStatus;
}

export const EMPTY_JOB_STATUS: JobStatus = { active: 0, succeeded: 0, failed: 0 };

export interface DaemonSetStatus {
  /** Nodes that should run the daemon pod (NodeShouldRunDaemonPod's shouldRun). */
  readonly desiredNumberScheduled: number;
  /** Nodes that should run it and have one. */
  readonly currentNumberScheduled: number;
  /** Nodes that run one and should not. */
  readonly numberMisscheduled: number;
  /** Nodes that should run it and have a Ready one. */
  readonly numberReady: number;
}

export const EMPTY_DAEMONSET_STATUS: DaemonSetStatus = {
  desiredNumberScheduled: 0,
  currentNumberScheduled: 0,
  numberMisscheduled: 0,
  numberReady: 0,
};

/** apps/v1 DaemonSet (engine/controllers/daemonset.ts). */
export interface DaemonSet {
  readonly kind: 'DaemonSet';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly selector: LabelSelector; readonly template: PodTemplate };
  readonly status: DaemonSetStatus;
}

export type PodManagementPolicy = 'OrderedReady' | 'Parallel';

export interface StatefulSetStatus {
  /** Pods of the set that exist (created, not yet deleted). */
  readonly replicas: number;
  readonly readyReplicas: number;
}

export const EMPTY_STATEFULSET_STATUS: StatefulSetStatus = { replicas: 0, readyReplicas: 0 };

/** apps/v1 StatefulSet (engine/controllers/statefulset.ts). */
export interface StatefulSet {
  readonly kind: 'StatefulSet';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly replicas: number;
    readonly selector: LabelSelector;
    readonly template: PodTemplate;
    readonly podManagementPolicy: PodManagementPolicy;
    /** spec.ordinals.start: the first pod is `<name>-<start>`. */
    readonly ordinalsStart: number;
    /** spec.volumeClaimTemplates: one claim `<template>-<set>-<ordinal>` per template and pod (absent = none). */
    readonly volumeClaimTemplates?: readonly PersistentVolumeClaim[];
  };
  readonly status: StatefulSetStatus;
}

export interface PodDisruptionBudgetStatus {
  /** Whether the disruption controller has computed this status (observedGeneration caught up). */
  readonly observed: boolean;
  readonly currentHealthy: number;
  readonly desiredHealthy: number;
  readonly expectedPods: number;
  readonly disruptionsAllowed: number;
  /** Pods the Eviction API let go and the controller has not seen deleted yet → when evicted. */
  readonly disruptedPods: Readonly<Record<string, Micros>>;
}

export const EMPTY_PDB_STATUS: PodDisruptionBudgetStatus = {
  observed: false,
  currentHealthy: 0,
  desiredHealthy: 0,
  expectedPods: 0,
  disruptionsAllowed: 0,
  disruptedPods: {},
};

/** policy/v1 PodDisruptionBudget: exactly one of minAvailable and maxUnavailable. */
export interface PodDisruptionBudget {
  readonly kind: 'PodDisruptionBudget';
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** Absent (null): selects no pod; {} selects every pod of the namespace (policy/v1). */
    readonly selector: LabelSelector | null;
    readonly minAvailable?: IntOrPercent;
    readonly maxUnavailable?: IntOrPercent;
  };
  readonly status: PodDisruptionBudgetStatus;
}

export type ConcurrencyPolicy = 'Allow' | 'Forbid' | 'Replace';

export interface CronJobStatus {
  /** Names of the Jobs it runs that have not finished. */
  readonly active: readonly string[];
  readonly lastScheduleTime?: Micros;
  readonly lastSuccessfulTime?: Micros;
}

/** batch/v1 CronJob (engine/controllers/cronjob.ts). */
export interface CronJob {
  readonly kind: 'CronJob';
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** The schedule as written (parsed again by the controller). */
    readonly schedule: string;
    readonly concurrencyPolicy: ConcurrencyPolicy;
    /** null: no deadline. */
    readonly startingDeadlineSeconds: number | null;
    readonly suspend: boolean;
    readonly successfulJobsHistoryLimit: number;
    readonly failedJobsHistoryLimit: number;
    /** The Jobs' metadata (labels, annotations) and spec. */
    readonly jobTemplate: {
      readonly labels: Readonly<Record<string, string>>;
      readonly annotations: Readonly<Record<string, string>>;
      readonly spec: Job['spec'];
    };
  };
  readonly status: CronJobStatus;
}

export const EMPTY_CRONJOB_STATUS: CronJobStatus = { active: [] };

/** A LimitRange item of type Container, after SetDefaults_LimitRangeItem (pkg/apis/core/v1/defaults.go). */
export interface ContainerLimits {
  readonly default: ResourceList;
  readonly defaultRequest: ResourceList;
  readonly min: ResourceList;
  readonly max: ResourceList;
}

/** v1 LimitRange: only Container items are modeled (the parser refuses the others). */
export interface LimitRange {
  readonly kind: 'LimitRange';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly limits: readonly ContainerLimits[] };
}

/** v1 ResourceQuota over pods: spec.hard keys pods, count/pods, requests.cpu/memory (or cpu/memory), limits.cpu/memory. */
export interface ResourceQuota {
  readonly kind: 'ResourceQuota';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly hard: ResourceList };
}

/**
 * autoscaling/v2 HorizontalPodAutoscaler with one Resource cpu Utilization metric and the default behavior;
 * `load` is kubesim's load model of the target (engine/controllers/horizontal.ts).
 */
export interface HorizontalPodAutoscaler {
  readonly kind: 'HorizontalPodAutoscaler';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly scaleTargetRef: { readonly kind: 'Deployment' | 'StatefulSet' | 'ReplicaSet'; readonly name: string };
    readonly minReplicas: number;
    readonly maxReplicas: number;
    /** target.averageUtilization of the cpu Resource metric, in percent of the pods' requests. */
    readonly targetCpuUtilization: number;
    /** Total cpu the workload is asked to do, in millicores, at virtual times (piecewise linear, then constant). */
    readonly load: readonly { readonly at: Micros; readonly milli: number }[];
  };
}

/**
 * scheduling.x-k8s.io/v1alpha1 PodGroup of the scheduler-plugins Coscheduling plugin (apis/scheduling/v1alpha1
 * types.go): the pods labelled `scheduling.x-k8s.io/pod-group: <name>` in its namespace are one gang.
 */
export interface PodGroup {
  readonly kind: 'PodGroup';
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** Pods that must be placed together (assumed or bound) before any of them binds. */
    readonly minMember: number;
    /** Permit wait for this group, overriding CoschedulingArgs.permitWaitingTimeSeconds; null = unset. */
    readonly scheduleTimeoutSeconds: number | null;
  };
}

/** The label that puts a pod in a PodGroup (scheduler-plugins apis/scheduling/v1alpha1 PodGroupLabel). */
export const POD_GROUP_LABEL = 'scheduling.x-k8s.io/pod-group';

/**
 * coordination.k8s.io/v1 Lease in the kube-node-lease namespace, one per node, named after it: the kubelet's
 * heartbeat (renewTime), which the node lifecycle controller reads (component-helpers/apimachinery/lease).
 */
export interface Lease {
  readonly kind: 'Lease';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly holderIdentity: string; readonly leaseDurationSeconds: number; readonly renewTime: Micros };
}

/** The namespace of node heartbeat leases (v1.NamespaceNodeLease). */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export type KubeObject =
  | Pod
  | Node
  | ReplicaSet
  | Deployment
  | Service
  | Endpoints
  | PriorityClass
  | Job
  | Lease
  | DaemonSet
  | StatefulSet
  | PodDisruptionBudget
  | CronJob
  | LimitRange
  | ResourceQuota
  | HorizontalPodAutoscaler
  | PodGroup
  | PersistentVolumeClaim
  | PersistentVolume
  | StorageClass
  | CSINode
  | DeviceClass
  | ResourceClaim
  | ResourceClaimTemplate
  | ResourceSlice;
export type Kind = KubeObject['kind'];

// ---- storage (core/v1 PersistentVolumeClaim and PersistentVolume, storage.k8s.io/v1 StorageClass; engine/api/storage.ts)

export type AccessMode = 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod';
export type VolumeBindingMode = 'Immediate' | 'WaitForFirstConsumer';

/** core/v1 PersistentVolumeClaim: the fields volume binding reads (storage in bytes). */
export interface PersistentVolumeClaim {
  readonly kind: 'PersistentVolumeClaim';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly accessModes: readonly AccessMode[];
    /** resources.requests.storage, bytes. */
    readonly storage: number;
    /** null = no storageClassName field (the DefaultStorageClass admission fills it); '' = explicitly no class. */
    readonly storageClassName: string | null;
    /** Set when bound (or pre-bound by the user). */
    readonly volumeName: string;
  };
  readonly status: { readonly phase: 'Pending' | 'Bound' | 'Lost' };
}

/** core/v1 PersistentVolume. */
export interface PersistentVolume {
  readonly kind: 'PersistentVolume';
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** capacity.storage, bytes. */
    readonly storage: number;
    readonly accessModes: readonly AccessMode[];
    readonly storageClassName: string;
    /** nodeAffinity.required: absent = usable from every node. */
    readonly nodeAffinity?: NodeSelector;
    /** spec.claimRef (namespace/name), '' = available. */
    readonly claimRef: string;
    /** spec.csi.driver; absent without a csi source (NodeVolumeLimits then uses its class's provisioner). */
    readonly csiDriver?: string;
  };
  readonly status: { readonly phase: 'Available' | 'Bound' | 'Released' };
}

/** storage.k8s.io/v1 StorageClass. */
export interface StorageClass {
  readonly kind: 'StorageClass';
  readonly metadata: ObjectMeta;
  readonly provisioner: string;
  readonly volumeBindingMode: VolumeBindingMode;
  /** allowedTopologies as node selector terms (ORed); empty = any topology. */
  readonly allowedTopologies: readonly NodeSelectorTerm[];
}

/** storage.k8s.io/v1 CSINode: the CSI drivers installed on the node of the same name, with their volume limits. */
export interface CSINode {
  readonly kind: 'CSINode';
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** drivers[].name and allocatable.count (null = no limit reported). */
    readonly drivers: readonly { readonly name: string; readonly count: number | null }[];
  };
}

// ---- Dynamic Resource Allocation (resource.k8s.io/v1, structured parameters; engine/scheduler/plugins/dynamic-resources/)

/** A device attribute value: exactly one of int, bool, string and version in the API. */
export interface DeviceAttribute {
  readonly type: 'int' | 'bool' | 'string' | 'version';
  readonly value: number | boolean | string;
}

/** resource.k8s.io/v1 Device (basic): attributes and capacity keyed by their fully qualified name (`<domain>/<name>`). */
export interface Device {
  readonly name: string;
  readonly attributes: Readonly<Record<string, DeviceAttribute>>;
  /** capacity[].value as an integer (quantity.ts: bytes for memory). */
  readonly capacity: Readonly<Record<string, number>>;
}

/** resource.k8s.io/v1 ResourceSlice: one driver's devices of one pool, local to a node or available to several. */
export interface ResourceSlice {
  readonly kind: 'ResourceSlice';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly driver: string;
    readonly pool: { readonly name: string; readonly generation: number; readonly resourceSliceCount: number };
    /** Exactly one of nodeName, nodeSelector and allNodes: '' when the slice is not node-local. */
    readonly nodeName: string;
    readonly nodeSelector?: NodeSelector;
    readonly allNodes: boolean;
    readonly devices: readonly Device[];
  };
}

/** A CEL device selector (spec.selectors[].cel.expression), kept as written; the plugin compiles its subset. */
export interface DeviceSelector {
  readonly expression: string;
}

/** resource.k8s.io/v1 DeviceClass. */
export interface DeviceClass {
  readonly kind: 'DeviceClass';
  readonly metadata: ObjectMeta;
  readonly spec: { readonly selectors: readonly DeviceSelector[] };
}

/** resource.k8s.io/v1 DeviceRequest with `exactly` (ExactDeviceRequest). */
export interface DeviceRequest {
  readonly name: string;
  readonly deviceClassName: string;
  readonly selectors: readonly DeviceSelector[];
  readonly allocationMode: 'ExactCount' | 'All';
  /** ExactCount: the devices wanted (defaulted to 1). */
  readonly count: number;
}

export interface ResourceClaimSpec {
  readonly requests: readonly DeviceRequest[];
}

/** status.allocation.devices.results[] */
export interface DeviceRequestAllocationResult {
  readonly request: string;
  readonly driver: string;
  readonly pool: string;
  readonly device: string;
}

export interface AllocationResult {
  readonly devices: readonly DeviceRequestAllocationResult[];
  /** Where the devices can be used: absent = every node. */
  readonly nodeSelector?: NodeSelector;
}

/** status.reservedFor[] (resource "pods" only). */
export interface ResourceClaimConsumer {
  readonly name: string;
  readonly uid: string;
}

/** resource.k8s.io/v1 ResourceClaim. */
export interface ResourceClaim {
  readonly kind: 'ResourceClaim';
  readonly metadata: ObjectMeta;
  readonly spec: ResourceClaimSpec;
  readonly status: { readonly allocation?: AllocationResult; readonly reservedFor: readonly ResourceClaimConsumer[] };
}

/** resource.k8s.io/v1 ResourceClaimTemplate: the claims it stamps get its metadata's labels and annotations. */
export interface ResourceClaimTemplate {
  readonly kind: 'ResourceClaimTemplate';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly spec: ResourceClaimSpec;
  };
}

/** etcd key of an object, as the API server's storage layer lays them out (`/registry/<resource>/<ns>/<name>`). */
export function objectKey(kind: Kind, namespace: string, name: string): string {
  return namespace === '' ? `${kind}/${name}` : `${kind}/${namespace}/${name}`;
}

export function keyOf(o: KubeObject): string {
  return objectKey(o.kind, o.metadata.namespace, o.metadata.name);
}

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** SetDefaults_PodSpec (pkg/apis/core/v1/defaults.go): terminationGracePeriodSeconds 30. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;

/** A PodSpec for pods kubesim builds itself (kubectl generators, trace imports), with SetDefaults_PodSpec's defaults. */
export function podSpecOf(containers: Container[], restartPolicy: PodSpec['restartPolicy']): PodSpec {
  return {
    containers,
    initContainers: [],
    nodeName: '',
    schedulerName: DEFAULT_SCHEDULER_NAME,
    priorityClassName: '',
    priority: 0,
    nodeSelector: {},
    tolerations: [],
    restartPolicy,
    overhead: {},
    terminationGracePeriodSeconds: DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
  };
}

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
