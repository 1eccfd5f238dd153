/**
 * A scenario after loading and validation: plain data, no YAML nodes, every quantity parsed and every
 * default filled in. The simulation reads only this.
 */
import type { FeatureGates, SchedulerQueueSettings } from '../scheduler/scheduler-settings.js';
import type { Endpoints, KubeObject, Lease, Node, PodTemplate } from '../api/objects.js';
import type { ApiServerParams } from '../api/api-server.js';
import type { RateLimit } from '../api/rate-limiter.js';
import type { Distribution } from '../core/distribution.js';
import type { Micros } from '../core/time.js';
import type { DeploymentParams } from '../controllers/deployment.js';
import type { EndpointsParams } from '../controllers/endpoints.js';
import type { JobParams } from '../controllers/job.js';
import type { DaemonSetParams } from '../controllers/daemonset.js';
import type { StatefulSetParams } from '../controllers/statefulset.js';
import type { DisruptionParams } from '../controllers/disruption.js';
import type { CronJobParams } from '../controllers/cronjob.js';
import type { HorizontalParams } from '../controllers/horizontal.js';
import type { PersistentVolumeParams } from '../controllers/persistent-volume.js';
import type { ResourceClaimParams } from '../controllers/resource-claim.js';
import type { ReplicaSetParams } from '../controllers/replicaset.js';
import type { KubeletParams } from '../node/kubelet.js';
import type { KubeProxyParams } from '../node/kube-proxy.js';
import type { SchedulerParams } from '../scheduler/scheduler.js';
import type { Fault } from '../faults/types.js';
import type { NodeLifecycleConfig } from './lifecycle-params.js';
import type { AutoscalerParams } from '../cloud/cluster-autoscaler.js';
import type { Profile } from '../scheduler/profile.js';
import type { Churn, VaryingRate } from '../workload/arrivals.js';
import type { GpuProfile } from '../scheduler/plugins/open-gpu-share/index.js';
import type { GpuReplaySpec } from '../gpu/replay-spec.js';
import type { NodePool } from '../cloud/node-pool.js';
import type { Expectation } from './expect.js';

export type Arrival =
  | { readonly type: 'burst'; readonly at: Micros; readonly count: number }
  | { readonly type: 'poisson'; readonly start: Micros; readonly ratePerSecond: number; readonly count: number }
  | { readonly type: 'constant'; readonly start: Micros; readonly ratePerSecond: number; readonly count: number }
  /** Rate varying over time (ramp, diurnal); Poisson unless `poisson` is false (evenly spaced in cumulative rate). */
  | { readonly type: 'varying'; readonly rate: VaryingRate; readonly start: Micros; readonly count: number; readonly poisson: boolean }
  /** Create (and in recreate mode delete) one pod per interval; `count` = pods created within the duration. */
  | { readonly type: 'churn'; readonly churn: Churn; readonly count: number };

/** Objects created through the API server at a virtual time (Deployments, Services, PriorityClasses, Pods…). */
export interface TimedObject {
  readonly at: Micros;
  /** Any object a user creates: every kind the API server stores but those its components own (Node, Endpoints, Lease). */
  readonly object: Exclude<KubeObject, Node | Endpoints | Lease>;
  /**
   * Starting state of a cluster dump (importers/cluster-dump.ts): created in waves from t = 0, each once the previous
   * wave has committed and settled (run.ts), so a controller finds what it owns in its cache; `at` is unused.
   */
  readonly wave?: number;
}

/** Bare pods created from a template by an arrival process. */
export interface PodWorkload {
  readonly name: string;
  readonly namespace: string;
  readonly template: PodTemplate;
  readonly arrival: Arrival;
  /** Run time of each pod's containers; absent = runs until the end. */
  readonly lifetime: Distribution | null;
}

/**
 * One op of a scheduler_perf-style step list (test/integration/scheduler_perf, operations.go), with upstream's
 * opcode and field names. `index` is the op's position in the list (upstream's opIndex, which names the
 * default namespace `namespace-<index>` and the nodes `node-<index>-…`). Counts are resolved from countParam.
 */
export type Step =
  /** Nodes `<pool.name>-<first + i>` from the pool's template, each with its kubelet, created through the scenario's client. */
  | { readonly opcode: 'createNodes'; readonly index: number; readonly count: number; readonly pool: NodePool; readonly first: number }
  | {
      readonly opcode: 'createPods';
      readonly index: number;
      readonly count: number;
      readonly namespace: string;
      readonly template: PodTemplate;
      /** These pods (only) feed the scheduling latency and throughput metrics. */
      readonly collectMetrics: boolean;
      readonly skipWaitToCompletion: boolean;
      /** steadyState: keep `count` pods queued for `duration`, deleting each scheduled pod and creating another. */
      readonly steadyState: { readonly duration: Micros } | null;
    }
  | {
      readonly opcode: 'barrier';
      readonly index: number;
      /** Empty = every namespace a createPods step used since the last barrier that covered it. */
      readonly namespaces: readonly string[];
      readonly labelSelector: Readonly<Record<string, string>>;
      readonly stageRequirement: 'Scheduled' | 'Attempted';
    }
  | { readonly opcode: 'sleep'; readonly index: number; readonly duration: Micros }
  /** From here to stopCollectingMetrics, pods of `namespaces` (matching the selector) seen scheduled are measured. */
  | {
      readonly opcode: 'startCollectingMetrics';
      readonly index: number;
      readonly name: string;
      readonly namespaces: readonly string[];
      readonly labelSelector: Readonly<Record<string, string>>;
    }
  | { readonly opcode: 'stopCollectingMetrics'; readonly index: number }
  | {
      readonly opcode: 'deletePods';
      readonly index: number;
      /** '' = every namespace. */
      readonly namespace: string;
      readonly labelSelector: Readonly<Record<string, string>>;
      readonly skipWaitToCompletion: boolean;
      /** 0 = all at once. */
      readonly deletePodsPerSecond: number;
    }
  | {
      readonly opcode: 'churn';
      readonly index: number;
      readonly mode: 'create' | 'recreate';
      /** create: at most this many ticks (0 = no limit); recreate: objects per cycle. */
      readonly number: number;
      readonly interval: Micros;
      readonly namespace: string;
      /** One object of each template is created (or deleted) per tick, as upstream's templatePaths. */
      readonly templates: readonly PodTemplate[];
    };

export interface ClusterParams {
  readonly apiServer: ApiServerParams;
  readonly scheduler: Omit<SchedulerParams, 'client'>;
  readonly controllerManager: {
    readonly replicaSet: ReplicaSetParams;
    readonly deployment: DeploymentParams;
    readonly endpoints: EndpointsParams;
    readonly job: JobParams;
    readonly daemonSet: DaemonSetParams;
    readonly statefulSet: StatefulSetParams;
    readonly disruption: DisruptionParams;
    readonly cronJob: CronJobParams;
    readonly horizontal: HorizontalParams;
    readonly persistentVolume: PersistentVolumeParams;
    readonly resourceClaim: ResourceClaimParams;
  };
  readonly kubelet: KubeletParams;
  readonly kubeProxy: KubeProxyParams;
  /** The client that creates the scenario's objects (a user or a load generator). */
  readonly workloadClient: RateLimit;
  readonly imageSizes: ReadonlyMap<string, number>;
  readonly defaultImageSize: number;
  /** Node leases, node lifecycle controller, taint eviction (parameters.nodeLifecycle). */
  readonly nodeLifecycle: NodeLifecycleConfig;
  /** parameters.clusterAutoscaler (used when some pool has autoscaling). */
  readonly clusterAutoscaler: AutoscalerParams;
}

export interface Policy {
  readonly name: string;
  readonly profiles: readonly Profile[];
  /** KubeSchedulerConfiguration clientConnection (qps/burst). */
  readonly client: RateLimit;
  /** Where it came from, for messages. */
  readonly source: string;
  /** GPU plugins per profile (engine/gpu), for a gpuReplay scenario. */
  readonly gpuProfiles?: readonly GpuProfile[];
  /** KubeSchedulerConfiguration podInitialBackoffSeconds/podMaxBackoffSeconds (override the scenario's), parallelism. */
  readonly queue?: SchedulerQueueSettings;
  readonly featureGates?: FeatureGates;
}

/** The scenario's `report:` section: what the report files contain (CLI flags override it). */
export interface ReportOptions {
  /** Virtual time between two rows of timeseries.csv. */
  readonly interval: Micros;
  /** Write pods.csv (one row per pod and run; large). */
  readonly pods: boolean;
  /** The policy the others are compared with; null = the first policy. */
  readonly baseline: string | null;
}

export interface Scenario {
  readonly name: string;
  readonly file: string;
  readonly description: string;
  readonly seed: number;
  /** Runs per policy, on seeds seed, seed + 1, …, seed + replications − 1 (the same seeds for every policy). */
  readonly replications: number;
  readonly report: ReportOptions;
  readonly duration: Micros;
  readonly nodePools: readonly NodePool[];
  readonly objects: readonly TimedObject[];
  readonly podWorkloads: readonly PodWorkload[];
  readonly params: ClusterParams;
  readonly policies: readonly Policy[];
  /** Present: the FGD study's arrival-only GPU replay (engine/gpu) instead of the timed control-plane run. */
  readonly gpuReplay?: GpuReplaySpec;
  /** Faults injected at given virtual times (`faults:`), in file order. */
  readonly faults: readonly Fault[];
  /** scheduler_perf's op list (`steps:`), run in order on the live cluster from t = 0; empty = none. */
  readonly steps: readonly Step[];
  /** What a CI build asserts about the results (`expect:`, engine/scenario/expect.ts); empty = nothing. */
  readonly expect: readonly Expectation[];
}
