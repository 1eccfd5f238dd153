/**
 * Default parameters of the modeled components. Each upstream default cites its source; values marked EST are
 * engineering estimates where no upstream default exists (docs/model/README.md lists the model's areas and
 * their sources), and every one of them can be overridden in a scenario's `parameters` section.
 */
import { constant, lognormalFromP99, type Distribution } from '../core/distribution.js';
import { MICROS_PER_MS, MICROS_PER_SECOND } from '../core/time.js';
import type { RateLimit } from '../api/rate-limiter.js';
import { WATCH_COST } from '../api/api-server.js';
import { DEFAULT_PARALLELISM } from '../scheduler/cycle-cost.js';

const ms = (x: number): number => x * MICROS_PER_MS;
const s = (x: number): number => x * MICROS_PER_SECOND;
const MiB = 1024 * 1024;

/** kube-scheduler clientConnection: pkg/scheduler/apis/config/v1/defaults.go */
export const SCHEDULER_CLIENT: RateLimit = { qps: 50, burst: 100 };
/** kube-controller-manager: pkg/controller/apis/config/v1alpha1/defaults.go (each controller has its own client). */
export const CONTROLLER_MANAGER_CLIENT: RateLimit = { qps: 20, burst: 30 };
/** kubelet kubeAPIQPS/kubeAPIBurst: pkg/kubelet/apis/config/v1beta1/defaults.go */
export const KUBELET_CLIENT: RateLimit = { qps: 50, burst: 100 };
/** kubelet registryPullQPS/registryBurst: same file. */
export const KUBELET_REGISTRY: RateLimit = { qps: 5, burst: 10 };
export const UNLIMITED: RateLimit = { qps: Infinity, burst: Infinity };

/** EST: admission + validation + serialization of a mutating call, before the etcd write (k8s-parameters §1.2). */
export const API_REQUEST_LATENCY: Distribution = lognormalFromP99(ms(1), ms(5));
/** EST: commit latency on SSD, median 1.5 ms, p99 10 ms (etcd op-guide/performance.md, k8s-parameters §1.1). */
export const ETCD_WRITE_LATENCY: Distribution = lognormalFromP99(ms(1.5), ms(10));
/** EST: watch propagation 1-5 ms (k8s-parameters §1.2, §5). */
export const WATCH_DELAY: Distribution = { type: 'uniform', min: ms(1), max: ms(5) };

export const DEFAULT_PARAMS = {
  apiServer: {
    requestLatency: { create: API_REQUEST_LATENCY, update: API_REQUEST_LATENCY, delete: API_REQUEST_LATENCY },
    watchDelay: WATCH_DELAY,
    etcd: { writeLatency: ETCD_WRITE_LATENCY },
    /** --max-requests-inflight / --max-mutating-requests-inflight: apiserver server_run_options.go (APF total 600). */
    maxRequestsInflight: 400,
    maxMutatingRequestsInflight: 200,
    /** EST: the watch cache's dispatch cost (api-server.ts WATCH_COST). */
    watchCost: WATCH_COST,
  },
  scheduler: {
    /** podInitialBackoffSeconds / podMaxBackoffSeconds: apis/config/v1/defaults.go */
    podInitialBackoff: s(1),
    podMaxBackoff: s(10),
    /** DefaultPodMaxInUnschedulablePodsDuration: backend/queue/scheduling_queue.go */
    podMaxInUnschedulablePodsDuration: s(300),
    /**
     * The cycle cost model (engine/scheduler/cycle-cost.ts): CPU time per unit of work, EST, calibrated so that
     * scheduler_perf's test cases at 5,000 nodes come out in upstream's order and ratio (bench/scheduler-perf.ts).
     */
    cycleOverhead: 1000,
    perNodeFilter: 4,
    perNodeScore: 6,
    perPodAffinityTerm: 30,
    perPodSpreadConstraint: 1.3,
    perPreemptionNode: 75,
    /** KubeSchedulerConfiguration parallelism: apis/config/v1/defaults.go */
    parallelism: DEFAULT_PARALLELISM,
  },
  controllerManager: {
    /** burstReplicas 500, 5 concurrent syncs: pkg/controller/replicaset/replica_set.go, KCM defaults. */
    replicaSet: { client: CONTROLLER_MANAGER_CLIENT, burstReplicas: 500, workers: 5 },
    deployment: { client: CONTROLLER_MANAGER_CLIENT, workers: 5 },
    endpoints: { client: CONTROLLER_MANAGER_CLIENT, workers: 5 },
    /** kube-controller-manager --concurrent-daemonset-syncs 2, --concurrent-statefulset-syncs 5. */
    daemonSet: { client: CONTROLLER_MANAGER_CLIENT, workers: 2 },
    statefulSet: { client: CONTROLLER_MANAGER_CLIENT, workers: 5 },
    /** The disruption controller runs one worker (disruption.go Run). */
    disruption: { client: CONTROLLER_MANAGER_CLIENT },
    /** --concurrent-cron-job-syncs 5. */
    cronJob: { client: CONTROLLER_MANAGER_CLIENT, workers: 5 },
    horizontal: { client: CONTROLLER_MANAGER_CLIENT },
    /**
     * The PV controller and the volume provisioner. EST: a cloud disk's CreateVolume takes seconds (median 5 s,
     * p99 20 s; no upstream figure, docs/model/storage.md).
     */
    persistentVolume: {
      client: CONTROLLER_MANAGER_CLIENT,
      provisioningLatency: lognormalFromP99(5 * MICROS_PER_SECOND, 20 * MICROS_PER_SECOND),
    },
    /** The resource-claim controller (pkg/controller/resourceclaim). */
    resourceClaim: { client: CONTROLLER_MANAGER_CLIENT },
  },
  kubelet: {
    client: KUBELET_CLIENT,
    /** serializeImagePulls: true (kubelet defaults). */
    serializeImagePulls: true,
    registry: KUBELET_REGISTRY,
    /** EST */
    pullLatency: lognormalFromP99(ms(500), ms(2000)),
    /** EST: 50 MiB/s per node. */
    pullBandwidthBytesPerSecond: 50 * MiB,
    /** EST: sandbox + CNI, median 400 ms (k8s-parameters §1.6). */
    sandboxLatency: lognormalFromP99(ms(400), ms(1500)),
    /** EST: create + start of one container, 50-300 ms. */
    containerStartLatency: lognormalFromP99(ms(100), ms(300)),
    /** Generic PLEG relist period 1 s: pkg/kubelet/kubelet.go */
    plegRelistPeriod: s(1),
    readinessDelay: constant(0),
  },
  kubeProxy: {
    /** iptables minSyncPeriod 1 s: pkg/proxy/apis/config/v1alpha1/defaults.go */
    minSyncPeriod: s(1),
    /** EST */
    syncDuration: lognormalFromP99(ms(50), ms(200)),
  },
  /** The scenario's own client is not throttled: its arrival process already says when objects are created. */
  workloadClient: UNLIMITED,
  /** EST: a typical application image. */
  defaultImageSize: 100 * MiB,
} as const;
