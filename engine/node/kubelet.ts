/**
 * The kubelet of one node and its container runtime (pkg/kubelet): it watches the pods bound to its node
 * (field selector spec.nodeName), admits each against the node's allocatable (lifecycle/predicate.go: a pod
 * that does not fit fails with reason OutOf<resource>), creates the pod sandbox, pulls each image the node's
 * image cache lacks, starts the containers, and reports the pod Running and Ready with a status PATCH through
 * its own client rate limiter once PLEG notices the containers (relist every 1 s).
 *
 * Image pulls are serialized per node by default (serializeImagePulls: true) and paced by the registry
 * limiter (registryPullQPS 5, registryBurst 10); pull time = registry latency + size / bandwidth. A pod
 * annotated `kubesim.io/run-duration` exits successfully after that long and reports Succeeded.
 * Defaults and sources: docs/model/nodes.md
 *
 * Pulled images reach the Node's status.images (what the scheduler's ImageLocality reads) the way they do
 * upstream: the image manager refreshes its image list every 30 s (images/image_gc_manager.go), and the node
 * status sync (every nodeStatusUpdateFrequency = 10 s, apis/config/v1beta1/defaults.go) PATCHes the status when
 * it changed; the list is sorted by size, largest first, capped at nodeStatusMaxImages = 50 images of at most 5
 * names (nodestatus/setters.go Images). Simplified: both loops tick at multiples of their period from t = 0
 * without jitter, so the PATCH goes out at the first 30 s boundary after a pull.
 */
import { type ApiServer, Client } from '../api/api-server.js';
import { parseDuration } from '../api/duration.js';
import { Informer } from '../api/informer.js';
import {
  keyOf,
  isTerminal,
  objectKey,
  NODE_LEASE_NAMESPACE,
  type Container,
  type ContainerImage,
  type Lease,
  type Node,
  type Pod,
  type PodSpec,
  type ProbeTiming,
} from '../api/objects.js';
import { CPU, EPHEMERAL_STORAGE, MEMORY, PODS, podRequests, type PodRequests } from '../api/pod-resources.js';
import { TokenBucket, type RateLimit } from '../api/rate-limiter.js';
import { lognormalFromP99, sample, type Distribution } from '../core/distribution.js';
import type { RngStream } from '../core/rng.js';
import type { Simulation } from '../core/simulation.js';
import { MICROS_PER_SECOND, type Micros } from '../core/time.js';
import { imagesToDelete, overHighThreshold, type ImageGcPolicy } from './image-gc.js';
import { Rendezvous, rendezvousSize } from './rendezvous.js';

export const RUN_DURATION_ANNOTATION = 'kubesim.io/run-duration';
/** Run time of init containers (initRunDuration); `.<container name>` suffixed for one of them. */
export const INIT_RUN_DURATION_ANNOTATION = 'kubesim.io/init-run-duration';

/**
 * EST: most containers exit within a second or two of SIGTERM (a web server drains and exits), a few take
 * several seconds; lognormal with median 1 s and p99 5 s. Capped at the grace period by the kill.
 */
export const DEFAULT_SIGTERM_EXIT: Distribution = lognormalFromP99(MICROS_PER_SECOND, 5 * MICROS_PER_SECOND);

/** images/image_gc_manager.go: the image list cache is refreshed every 30 s. */
const IMAGE_LIST_REFRESH_PERIOD = 30 * MICROS_PER_SECOND;
/** apis/config/v1beta1/defaults.go: nodeStatusMaxImages. */
const NODE_STATUS_MAX_IMAGES = 50;
/** nodestatus/setters.go: MaxNamesPerImageInNodeStatus. */
const MAX_NAMES_PER_IMAGE = 5;
/** pkg/kubelet/kubelet.go: ImageGCPeriod. */
const IMAGE_GC_PERIOD = 5 * 60 * MICROS_PER_SECOND;

/** imageGCHighThresholdPercent 85, imageGCLowThresholdPercent 80, imageMinimumGCAge 2m: apis/config/v1beta1/defaults.go. */
export const DEFAULT_IMAGE_GC: ImageGcPolicy = { highThresholdPercent: 85, lowThresholdPercent: 80, minAge: 120 * MICROS_PER_SECOND };
/** EST: the image filesystem of a node that declares no ephemeral-storage capacity (a common 100 GiB boot disk). */
export const DEFAULT_IMAGE_FS_BYTES = 100 * 1024 * 1024 * 1024;

export interface KubeletParams {
  readonly client: RateLimit;
  readonly serializeImagePulls: boolean;
  readonly registry: RateLimit;
  /** Fixed part of a pull (manifest resolution, auth, layer setup). */
  readonly pullLatency: Distribution;
  readonly pullBandwidthBytesPerSecond: number;
  readonly sandboxLatency: Distribution;
  /** Create + start of one container. */
  readonly containerStartLatency: Distribution;
  /** Generic PLEG relist period: container state changes are noticed up to this long after they happen. */
  readonly plegRelistPeriod: Micros;
  /** Time from containers running to the Ready condition, for a pod without a readiness or startup probe. */
  readonly readinessDelay: Distribution;
  /**
   * How long a container takes to exit after SIGTERM (the application's shutdown); the kill at the end of the
   * grace period caps it. Default DEFAULT_SIGTERM_EXIT (scenario: parameters.kubelet.sigtermExitTime).
   */
  readonly sigtermExit?: Distribution;
  /** Image garbage collection thresholds (default DEFAULT_IMAGE_GC). */
  readonly imageGc?: ImageGcPolicy;
  /** Size of the image filesystem; default: the node's ephemeral-storage capacity, else DEFAULT_IMAGE_FS_BYTES. */
  readonly imageFsBytes?: number;
}

/**
 * The node lease (component-helpers/apimachinery/lease/controller.go, started by pkg/kubelet/kubelet.go):
 * renewed every renewInterval = nodeLeaseDurationSeconds (40) × NodeLeaseRenewIntervalFraction (0.25) = 10 s,
 * as wait.JitterUntil(sync, renewInterval, 0.04, sliding): the next renewal is 10–10.4 s after the previous
 * one was answered.
 */
export interface NodeLeaseParams {
  readonly durationSeconds: number;
  readonly renewIntervalFraction: number;
}

/** The jitter factor of the lease loop (wait.JitterUntil(..., 0.04, true)). */
export const LEASE_RENEW_JITTER = 0.04;

/** The image registry as every kubelet sees it: a registrySlowdown fault multiplies pull times. */
export class RegistryConditions {
  slowdown = 1;
}

/** What the kubelet tells the trace and metrics. */
export interface KubeletObserver {
  podSeen(pod: Pod, node: string): void;
  imagePulled(pod: Pod, image: string, cached: boolean, durationUs: Micros): void;
  containersStarted(pod: Pod): void;
}

export class Kubelet {
  private readonly client: Client;
  private readonly registry: TokenBucket;
  private readonly cache = new Set<string>();
  /** Images being pulled → time the pull completes. */
  private readonly pulling = new Map<string, Micros>();
  private pullerFreeAt: Micros = 0;
  /** Admitted pods whose containers have started (a pod deleted before that has nothing to kill). */
  private readonly running = new Set<string>();
  /** Pods being stopped (deletionTimestamp seen) → when their containers are killed. */
  private readonly stopping = new Map<string, Micros>();
  /** Admitted, non-terminal pods and their requests. */
  private readonly admitted = new Map<string, PodRequests>();
  private usedCpu = 0;
  private usedMem = 0;
  private usedEph = 0;
  /** Images on the node (as registered, then pulled), and the status.images last written. */
  private readonly images: ContainerImage[];
  private reportedImages: string;
  private imageSyncArmed = false;
  /** Per image on the node: when first detected and last used (the image GC's records). */
  private readonly imageTimes = new Map<ContainerImage, ImageTimes>();
  /** The same records by each normalized name, for stamping lastUsed without a pass over the node's images. */
  private readonly imageTimesByName = new Map<string, ImageTimes[]>();
  /** Admitted pods using each image (normalized name), and each admitted pod's images. */
  private readonly imageUsers = new Map<string, number>();
  private readonly podImages = new Map<string, readonly string[]>();
  private readonly imageFsBytes: number;
  private gcArmed = false;
  imagesGarbageCollected = 0;
  /** False while the node is down (crashed or partitioned): no lease renewals, status writes or pod work. */
  private alive = true;
  /** Incremented on every crash: work scheduled before it (pulls, starts, exits) finds a stale epoch and stops. */
  private epoch = 0;
  private lease: NodeLeaseParams | null = null;
  private leaseRng: RngStream | null = null;
  private readonly pods: Informer<Pod>;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiServer,
    private readonly node: Node,
    private readonly params: KubeletParams,
    private readonly rng: RngStream,
    private readonly imageSize: (image: string) => number,
    private readonly observer: KubeletObserver,
    private readonly registryConditions: RegistryConditions = new RegistryConditions(),
    /** Distributed jobs' rendezvous (node/rendezvous.ts), shared by the run's kubelets. */
    private readonly rendezvous: Rendezvous = new Rendezvous(),
  ) {
    this.client = new Client(`kubelet/${node.metadata.name}`, params.client, 'node');
    this.registry = new TokenBucket(params.registry);
    for (const img of node.status.images) for (const n of img.names) this.cache.add(normalizeImage(n));
    this.images = [...node.status.images];
    for (const img of this.images) this.trackImage(img, { names: img.names.map(normalizeImage), firstDetected: 0, lastUsed: 0 });
    this.reportedImages = JSON.stringify(node.status.images);
    this.imageFsBytes = params.imageFsBytes ?? node.status.capacity[EPHEMERAL_STORAGE] ?? DEFAULT_IMAGE_FS_BYTES;
    // A node whose listed images already fill its image filesystem is collected from the first pass on.
    this.armImageGc();
    // The watch keeps feeding the cache while the node is down (what a relist would return at restart); only the
    // handlers stop.
    this.pods = new Informer<Pod>({
      add: (p) => {
        if (this.alive) this.onPod(p);
      },
      update: (o, p) => {
        if (!this.alive) return;
        if (isTerminal(p) && !isTerminal(o)) this.forget(keyOf(p));
        const grace = p.metadata.deletionGracePeriodSeconds;
        if (grace !== undefined && grace < (o.metadata.deletionGracePeriodSeconds ?? Infinity)) this.terminate(keyOf(p), grace);
      },
      delete: (p) => {
        if (this.alive) this.forget(keyOf(p));
      },
    });
    api.watchPodsOnNode(node.metadata.name, `kubelet/${node.metadata.name}`, this.pods.onEvent);
  }

  get name(): string {
    return this.node.metadata.name;
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /**
   * Starts the node lease loop: create the Lease now, then renew it every renewInterval with jitter (drawn from
   * its own stream, so leases leave the pod path's draws unchanged).
   */
  startLease(params: NodeLeaseParams, rng: RngStream): void {
    this.lease = params;
    this.leaseRng = rng;
    this.renewLease(this.epoch);
  }

  private renewLease(epoch: number): void {
    const p = this.lease;
    if (p === null || !this.alive || epoch !== this.epoch) return;
    const key = objectKey('Lease', NODE_LEASE_NAMESPACE, this.name);
    const renew = (cur: Lease | undefined): Lease => ({
      kind: 'Lease',
      metadata: cur?.metadata ?? {
        name: this.name,
        namespace: NODE_LEASE_NAMESPACE,
        uid: '',
        labels: {},
        annotations: {},
        ownerReferences: [],
        creationTimestamp: 0,
        resourceVersion: 0,
      },
      spec: { holderIdentity: this.name, leaseDurationSeconds: p.durationSeconds, renewTime: this.sim.now },
    });
    const next = (): void => {
      // Sliding JitterUntil: the period starts when the sync returns.
      const interval = p.durationSeconds * p.renewIntervalFraction * MICROS_PER_SECOND;
      this.sim.callAt(this.sim.now + Math.round(interval * (1 + LEASE_RENEW_JITTER * (this.leaseRng as RngStream).next())), () =>
        this.renewLease(epoch),
      );
    };
    if (this.api.get('Lease', NODE_LEASE_NAMESPACE, this.name) === undefined) {
      // ensureLease: create it (the kubelet's first sync); a 409 means it exists and the next sync updates it.
      this.api.create(this.client, renew(undefined), next);
    } else {
      this.api.update(this.client, 'Lease', key, (cur) => (cur.kind === 'Lease' ? renew(cur) : null), next);
    }
  }

  /**
   * The machine stops (power loss, kernel panic, network partition): containers die with it, nothing more is
   * written to the API server. Its pods keep their last reported status until the node lifecycle controller
   * marks them not ready and the taint eviction controller deletes them.
   */
  crash(): string[] {
    if (!this.alive) return [];
    this.alive = false;
    this.epoch++;
    const lost = [...this.admitted.keys()];
    for (const k of lost) this.useImages(k, false);
    this.admitted.clear();
    this.running.clear();
    this.stopping.clear();
    this.usedCpu = 0;
    this.usedMem = 0;
    this.usedEph = 0;
    this.pulling.clear();
    return lost;
  }

  /**
   * The machine is back: the kubelet restarts, reports the node Ready, resumes its lease, and syncs every pod
   * still bound to it as a new pod (sandbox, containers; images survive on disk). A restartPolicy Never pod
   * whose containers died with the node is reported Failed instead of being restarted.
   */
  recover(): void {
    if (this.alive) return;
    this.alive = true;
    this.epoch++;
    this.pullerFreeAt = this.sim.now;
    this.api.update(this.client, 'Node', objectKey('Node', '', this.name), (cur) =>
      cur.kind === 'Node' && !cur.status.ready ? { ...cur, status: { ...cur.status, ready: true } } : null,
    );
    if (this.lease !== null) this.renewLease(this.epoch);
    for (const pod of this.pods.cache.values()) {
      // A pod deleted while the node was down: its containers died with the node, so it goes at once.
      if (pod.metadata.deletionTimestamp !== undefined) {
        this.finalDelete(keyOf(pod));
        continue;
      }
      if (isTerminal(pod)) continue;
      if (pod.status.phase !== 'Pending' && pod.spec.restartPolicy === 'Never') {
        this.patchStatus(keyOf(pod), {
          phase: 'Failed',
          ready: false,
          startTime: pod.status.startTime,
          reason: 'NodeRestart',
          message: 'containers died with the node',
        });
        continue;
      }
      this.onPod(pod, true);
    }
  }

  private onPod(pod: Pod, restart = false): void {
    if (isTerminal(pod) || (pod.status.phase !== 'Pending' && !restart)) return;
    this.observer.podSeen(pod, this.name);
    const key = keyOf(pod);
    const reason = this.admit(key, podRequests(pod.spec));
    if (reason !== '') {
      this.patchStatus(key, { phase: 'Failed', ready: false, reason, message: `Pod was rejected: ${reason}` });
      return;
    }
    // RunPodSandbox, then EnsureImageExists + start for each container in order.
    const sandboxReady = this.sim.now + sample(this.params.sandboxLatency, this.rng);
    const epoch = this.epoch;
    // HandlePodAdditions → probeManager.AddPod: the probe workers start now (prober/worker.go run).
    const admittedAt = this.sim.now;
    this.sim.callAt(sandboxReady, () => {
      if (epoch === this.epoch) this.startContainers(pod, key, admittedAt);
    });
  }

  /** lifecycle/predicate.go: the pod must fit in allocatable minus the pods already admitted. */
  private admit(key: string, r: PodRequests): string {
    const a = this.node.status.allocatable;
    if (this.admitted.size + 1 > (a[PODS] ?? 0)) return 'OutOfpods';
    if (r.cpu > 0 && this.usedCpu + r.cpu > (a[CPU] ?? 0)) return 'OutOfcpu';
    if (r.memory > 0 && this.usedMem + r.memory > (a[MEMORY] ?? 0)) return 'OutOfmemory';
    if (r.ephemeralStorage > 0 && this.usedEph + r.ephemeralStorage > (a[EPHEMERAL_STORAGE] ?? 0)) return 'OutOfephemeral-storage';
    this.admitted.set(key, r);
    this.useImages(key, true);
    this.usedCpu += r.cpu;
    this.usedMem += r.memory;
    this.usedEph += r.ephemeralStorage;
    return '';
  }

  private forget(key: string): void {
    const r = this.admitted.get(key);
    if (r === undefined) return;
    this.rendezvous.leave(key);
    this.admitted.delete(key);
    this.running.delete(key);
    this.useImages(key, false);
    this.usedCpu -= r.cpu;
    this.usedMem -= r.memory;
    this.usedEph -= r.ephemeralStorage;
  }

  /**
   * The pod is being deleted (killPod with the pod's deletionGracePeriodSeconds, pkg/kubelet/pod_workers.go):
   * the runtime sends SIGTERM and StopContainer returns when the container exits, or kills it at the end of the
   * grace period (kuberuntime_container.go killContainer); the exit time is drawn from sigtermExit. Then the
   * status manager sends the final DELETE with grace 0 (status/status_manager.go). A shorter grace period from a
   * second DELETE brings the kill forward (never later than the exit already drawn).
   */
  private terminate(key: string, graceSeconds: number): void {
    if (!this.running.has(key)) {
      // No container runs (not started yet, or exited): nothing to wait for, deletable at once.
      this.stopping.delete(key);
      this.forget(key);
      this.finalDelete(key);
      return;
    }
    const pending = this.stopping.get(key);
    const exit = pending === undefined ? sample(this.params.sigtermExit ?? DEFAULT_SIGTERM_EXIT, this.rng) : Infinity;
    const killAt = this.sim.now + Math.min(exit, graceSeconds * MICROS_PER_SECOND);
    if (pending !== undefined && pending <= killAt) return;
    this.stopping.set(key, killAt);
    const epoch = this.epoch;
    this.sim.callAt(killAt, () => {
      if (epoch !== this.epoch || this.stopping.get(key) !== killAt) return;
      this.stopping.delete(key);
      this.forget(key);
      this.finalDelete(key);
    });
  }

  private finalDelete(key: string): void {
    this.api.delete(this.client, 'Pod', key, undefined, 0);
  }

  private startContainers(pod: Pod, key: string, admittedAt: Micros): void {
    if (!this.admitted.has(key) || this.stopping.has(key)) return; // deleted meanwhile
    const containers = [...pod.spec.initContainers, ...pod.spec.containers];
    let t = this.sim.now;
    const startedAt: Micros[] = [];
    for (const c of containers) {
      if (c.imagePullPolicy === 'Never' && !this.cache.has(normalizeImage(c.image))) {
        // EnsureImageExists with PullNever and no image: the container waits with ErrImageNeverPull and the pod
        // stays Pending on the node, holding what it was admitted with (images/image_manager.go).
        this.patchStatus(key, {
          phase: 'Pending',
          ready: false,
          reason: 'ErrImageNeverPull',
          message: `Container image "${c.image}" is not present with pull policy of Never`,
        });
        return;
      }
      t =
        c.imagePullPolicy === 'Always' && this.cache.has(normalizeImage(c.image))
          ? this.checkImage(pod, c.image, t)
          : this.ensureImage(pod, c.image, t);
      t += sample(this.params.containerStartLatency, this.rng);
      startedAt.push(t);
      // An init container (not a sidecar) runs to completion before the next container starts: SyncPod starts the
      // next one when PLEG reports this one exited (kuberuntime_manager.go computeInitContainerActions).
      if (startedAt.length <= pod.spec.initContainers.length && c.restartPolicy === undefined) {
        t += initRunDuration(pod, c.name) + Math.floor(this.rng.next() * this.params.plegRelistPeriod);
      }
    }
    const started = t;
    // PLEG notices the started containers at its next relist.
    const noticed = started + Math.floor(this.rng.next() * this.params.plegRelistPeriod);
    const epoch = this.epoch;
    if (pod.spec.containers.some((c) => c.readinessProbe !== undefined || c.startupProbe !== undefined)) {
      const appStarts = startedAt.slice(pod.spec.initContainers.length);
      return this.runProbed(pod, key, started, noticed, probedReadyTime(pod.spec.containers, appStarts, noticed, admittedAt), epoch);
    }
    const ready = noticed + sample(this.params.readinessDelay, this.rng);
    this.sim.callAt(started, () => {
      if (epoch !== this.epoch || !this.admitted.has(key) || this.stopping.has(key)) return;
      this.running.add(key);
      this.observer.containersStarted(pod);
    });
    this.sim.callAt(ready, () => {
      if (epoch !== this.epoch || !this.admitted.has(key) || this.stopping.has(key)) return;
      this.patchStatus(key, { phase: 'Running', ready: true, startTime: started, readyTime: this.sim.now });
      const run = runDuration(pod);
      if (run !== null && pod.spec.restartPolicy !== 'Always') {
        this.afterRendezvous(pod, key, started, epoch, (from) => {
          const exitAt = Math.max(this.sim.now, from + run);
          this.sim.callAt(exitAt + Math.floor(this.rng.next() * this.params.plegRelistPeriod), () => {
            if (epoch !== this.epoch || !this.admitted.has(key)) return;
            this.forget(key);
            if (this.stopping.delete(key)) this.finalDelete(key);
            else this.patchStatus(key, { phase: 'Succeeded', ready: false, startTime: started, reason: 'Completed' });
          });
        });
      }
    });
  }

  /**
   * The pod's work starts at `started`, or, for a worker of a distributed job (kubesim.io/rendezvous), once its
   * job's rendezvous completes: `work(from)` is called with the time its run-duration counts from.
   */
  private afterRendezvous(pod: Pod, key: string, started: Micros, epoch: number, work: (from: Micros) => void): void {
    const size = rendezvousSize(pod);
    if (size === 0) {
      work(started);
      return;
    }
    this.rendezvous.join(pod, key, size, () => {
      if (epoch === this.epoch && this.admitted.has(key)) work(Math.max(started, this.sim.now));
    });
  }

  /**
   * A pod with a readiness or startup probe: Running (not Ready) once PLEG has noticed its containers, Ready at
   * the probe result computed by probedReadyTime; a run-duration pod exits as usual.
   */
  private runProbed(pod: Pod, key: string, started: Micros, noticed: Micros, readyAt: Micros, epoch: number): void {
    const live = (): boolean => epoch === this.epoch && this.admitted.has(key) && !this.stopping.has(key);
    this.sim.callAt(started, () => {
      if (!live()) return;
      this.running.add(key);
      this.observer.containersStarted(pod);
    });
    this.sim.callAt(noticed, () => {
      if (!live()) return;
      this.patchStatus(key, { phase: 'Running', ready: false, startTime: started });
      const run = runDuration(pod);
      if (run === null || pod.spec.restartPolicy === 'Always') return;
      this.afterRendezvous(pod, key, started, epoch, (from) => {
        this.sim.callAt(Math.max(this.sim.now, from + run) + Math.floor(this.rng.next() * this.params.plegRelistPeriod), () => {
          if (epoch !== this.epoch || !this.admitted.has(key)) return;
          this.forget(key);
          if (this.stopping.delete(key)) this.finalDelete(key);
          else this.patchStatus(key, { phase: 'Succeeded', ready: false, startTime: started, reason: 'Completed' });
        });
      });
    });
    this.sim.callAt(readyAt, () => {
      if (!live()) return;
      this.patchStatus(key, { phase: 'Running', ready: true, startTime: started, readyTime: this.sim.now });
    });
  }

  /**
   * imagePullPolicy Always with the image on the node: the runtime still pulls (EnsureImageExists pulls whenever
   * the policy says so), which resolves the manifest at the registry and finds every layer present: a registry
   * request (its QPS limit and the serialized puller) and the fixed pull latency, no bytes.
   */
  private checkImage(pod: Pod, image: string, at: Micros): Micros {
    let start = this.registry.reserve(at);
    if (this.params.serializeImagePulls) start = Math.max(start, this.pullerFreeAt);
    const end = start + Math.round(sample(this.params.pullLatency, this.rng) * this.registryConditions.slowdown);
    if (this.params.serializeImagePulls) this.pullerFreeAt = end;
    const epoch = this.epoch;
    this.sim.callAt(end, () => {
      if (epoch === this.epoch) this.observer.imagePulled(pod, image, false, end - start);
    });
    return end;
  }

  /** Returns when `image` is present, pulling it if needed (EnsureImageExists, IfNotPresent). */
  private ensureImage(pod: Pod, image: string, at: Micros): Micros {
    const name = normalizeImage(image);
    if (this.cache.has(name)) {
      this.observer.imagePulled(pod, image, true, 0);
      return at;
    }
    const inFlight = this.pulling.get(name);
    if (inFlight !== undefined) return Math.max(at, inFlight);
    let start = this.registry.reserve(at);
    if (this.params.serializeImagePulls) start = Math.max(start, this.pullerFreeAt);
    const bytes = this.imageSize(name);
    const pull =
      sample(this.params.pullLatency, this.rng) + Math.round((bytes / this.params.pullBandwidthBytesPerSecond) * MICROS_PER_SECOND);
    const end = start + Math.round(pull * this.registryConditions.slowdown);
    if (this.params.serializeImagePulls) this.pullerFreeAt = end;
    this.pulling.set(name, end);
    const epoch = this.epoch;
    this.sim.callAt(end, () => {
      if (epoch !== this.epoch) return; // the pull died with the node
      this.pulling.delete(name);
      this.cache.add(name);
      const img: ContainerImage = { names: [name], sizeBytes: bytes };
      this.images.push(img);
      this.trackImage(img, {
        names: [name],
        firstDetected: this.sim.now,
        lastUsed: (this.imageUsers.get(name) ?? 0) > 0 ? this.sim.now : 0,
      });
      this.armImageStatusSync();
      this.armImageGc();
      this.observer.imagePulled(pod, image, false, end - start);
    });
    return end;
  }

  /** A pod starts or stops using its images (the image GC never deletes an image in use). */
  private useImages(key: string, start: boolean): void {
    let names = this.podImages.get(key);
    if (start) {
      const pod = this.pods.cache.get(key);
      if (pod === undefined) return;
      names = podImageNames(pod.spec);
      this.podImages.set(key, names);
    } else {
      if (names === undefined) return;
      this.podImages.delete(key);
    }
    for (const n of names) this.imageUsers.set(n, (this.imageUsers.get(n) ?? 0) + (start ? 1 : -1));
    // lastUsed: the image manager stamps the images of running containers at each detection.
    for (const n of names) {
      const ts = this.imageTimesByName.get(n);
      if (ts !== undefined) for (const t of ts) t.lastUsed = this.sim.now;
    }
  }

  private trackImage(img: ContainerImage, t: ImageTimes): void {
    this.imageTimes.set(img, t);
    // A node's status may list one image under two names, or two images under one name: a list per name.
    for (const n of t.names) {
      const ts = this.imageTimesByName.get(n);
      if (ts === undefined) this.imageTimesByName.set(n, [t]);
      else ts.push(t);
    }
  }

  private imageBytes(): number {
    let used = 0;
    for (const img of this.images) used += img.sizeBytes;
    return used;
  }

  /** GarbageCollect runs every 5 min; a pass under the high threshold does nothing, so only those over it are played. */
  private armImageGc(): void {
    const policy = this.params.imageGc ?? DEFAULT_IMAGE_GC;
    if (this.gcArmed || !overHighThreshold(this.imageBytes(), this.imageFsBytes, policy)) return;
    this.gcArmed = true;
    const next = (Math.floor(this.sim.now / IMAGE_GC_PERIOD) + 1) * IMAGE_GC_PERIOD;
    this.sim.callAt(next, () => {
      this.gcArmed = false;
      if (this.alive) this.collectImages(policy);
      this.armImageGc();
    });
  }

  private collectImages(policy: ImageGcPolicy): void {
    const records = this.images.map((img) => {
      const t = this.imageTimes.get(img) as ImageTimes;
      return {
        name: img.names[0] ?? '',
        sizeBytes: img.sizeBytes,
        firstDetected: t.firstDetected,
        lastUsed: t.lastUsed,
        inUse: t.names.some((n) => (this.imageUsers.get(n) ?? 0) > 0),
      };
    });
    const victims = new Set(imagesToDelete(records, this.imageFsBytes, this.sim.now, policy));
    if (victims.size === 0) return;
    for (let i = this.images.length - 1; i >= 0; i--) {
      const img = this.images[i];
      if (!victims.has(img.names[0] ?? '')) continue;
      this.images.splice(i, 1);
      const gone = this.imageTimes.get(img) as ImageTimes;
      for (const n of gone.names) {
        const ts = (this.imageTimesByName.get(n) as ImageTimes[]).filter((x) => x !== gone);
        if (ts.length === 0) this.imageTimesByName.delete(n);
        else this.imageTimesByName.set(n, ts);
      }
      this.imageTimes.delete(img);
      for (const n of img.names) this.cache.delete(normalizeImage(n));
      this.imagesGarbageCollected++;
    }
    this.armImageStatusSync();
  }

  /** Image names on the node, as the runtime lists them (tests). */
  get imageNames(): string[] {
    return this.images.map((i) => i.names[0] ?? '');
  }

  private armImageStatusSync(): void {
    if (this.imageSyncArmed) return;
    this.imageSyncArmed = true;
    const next = (Math.floor(this.sim.now / IMAGE_LIST_REFRESH_PERIOD) + 1) * IMAGE_LIST_REFRESH_PERIOD;
    this.sim.callAt(next, () => {
      this.imageSyncArmed = false;
      this.syncNodeImages();
    });
  }

  /** tryUpdateNodeStatus for status.images: PATCH only when the list changed. */
  private syncNodeImages(): void {
    if (!this.alive) return;
    const images = [...this.images]
      .sort((a, b) => b.sizeBytes - a.sizeBytes || byName(a, b))
      .slice(0, NODE_STATUS_MAX_IMAGES)
      .map((img) => (img.names.length > MAX_NAMES_PER_IMAGE ? { ...img, names: img.names.slice(0, MAX_NAMES_PER_IMAGE) } : img));
    const sig = JSON.stringify(images);
    if (sig === this.reportedImages) return;
    this.reportedImages = sig;
    this.api.update(this.client, 'Node', objectKey('Node', '', this.name), (cur) =>
      cur.kind === 'Node' ? { ...cur, status: { ...cur.status, images } } : null,
    );
  }

  private patchStatus(key: string, status: Pod['status']): void {
    this.api.update(this.client, 'Pod', key, (cur) => (cur.kind === 'Pod' && !isTerminal(cur) ? { ...cur, status } : null));
  }
}

/**
 * How long an init container runs before it exits successfully: the pod's `kubesim.io/init-run-duration.<name>`
 * annotation, else `kubesim.io/init-run-duration`, else 0 (it exits as soon as it has started). Validated by the
 * manifest parser.
 */
export function initRunDuration(pod: Pod, container: string): Micros {
  const a = pod.metadata.annotations;
  const v = a[`${INIT_RUN_DURATION_ANNOTATION}.${container}`] ?? a[INIT_RUN_DURATION_ANNOTATION];
  return v === undefined ? 0 : (parseDuration(v) ?? 0);
}

/** The pod's `kubesim.io/run-duration` (validated when the scenario is loaded), or null. */
export function runDuration(pod: Pod): Micros | null {
  const v = pod.metadata.annotations[RUN_DURATION_ANNOTATION];
  return v === undefined ? null : parseDuration(v);
}

/** Docker reference normalization as the image cache keys it: a tag defaults to :latest. */
/** Per image on the node: its names normalized once, first detection and last use by a container. */
interface ImageTimes {
  readonly names: readonly string[];
  firstDetected: Micros;
  lastUsed: Micros;
}

/** The normalized image names of a pod's containers (init first), kept per container list: every pod of a template shares it. */
const imageNamesByContainers = new WeakMap<
  readonly Container[],
  { readonly init: readonly Container[]; readonly names: readonly string[] }
>();

function podImageNames(spec: PodSpec): readonly string[] {
  const hit = imageNamesByContainers.get(spec.containers);
  if (hit !== undefined && hit.init === spec.initContainers) return hit.names;
  const names = [...spec.initContainers, ...spec.containers].map((c) => normalizeImage(c.image));
  imageNamesByContainers.set(spec.containers, { init: spec.initContainers, names });
  return names;
}

export function normalizeImage(image: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (image.includes('@') || colon > slash) return image;
  return `${image}:latest`;
}

/** Tie order for equally sized images (upstream's sort is not stable; any fixed order will do). */
function byName(a: ContainerImage, b: ContainerImage): number {
  const x = a.names[0] ?? '';
  const y = b.names[0] ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * When a pod with probes becomes Ready, by upstream's prober (pkg/kubelet/prober/worker.go): each probe worker
 * starts when the pod is admitted (admittedAt) and probes at once, then every periodSeconds. A probe counts only
 * once the kubelet has seen the container running (`noticed`, PLEG) and int(seconds since the container started)
 * ≥ initialDelaySeconds (doProbe); readiness is probed only after the startup probe succeeded (c.Started).
 * The application is taken to answer every probe successfully, so Ready comes after successThreshold counted
 * readiness probes; a container without a readiness probe is ready once started. The pod is Ready when every
 * container is (status manager, generateAPIPodStatus).
 */
export function probedReadyTime(
  containers: readonly Container[],
  startedAt: readonly Micros[],
  noticed: Micros,
  admittedAt: Micros,
): Micros {
  const firstTick = (period: Micros, after: Micros): Micros => admittedAt + Math.max(0, Math.ceil((after - admittedAt) / period)) * period;
  /** The first probe tick at or after `from` at which int(seconds since start) ≥ delay. */
  const countedTick = (p: ProbeTiming, start: Micros, from: Micros): Micros => {
    const period = p.periodSeconds * MICROS_PER_SECOND;
    return firstTick(period, Math.max(from, start + p.initialDelaySeconds * MICROS_PER_SECOND));
  };
  let ready = noticed;
  containers.forEach((c, i) => {
    const start = startedAt[i];
    const startedOk = c.startupProbe === undefined ? noticed : countedTick(c.startupProbe, start, noticed);
    let t = startedOk;
    if (c.readinessProbe !== undefined) {
      const p = c.readinessProbe;
      t = countedTick(p, start, startedOk) + (p.successThreshold - 1) * p.periodSeconds * MICROS_PER_SECOND;
    }
    ready = Math.max(ready, t);
  });
  return ready;
}
