/**
 * One simulation run: a scenario, one scheduler policy and one seed → plain results. Builds the cluster
 * (API server + etcd, scheduler, controller manager, a kubelet per node, kube-proxy), replays the scenario's
 * objects and arrivals through the API server, runs the event loop to the scenario's duration (or until
 * nothing is left to happen), and summarizes. Deterministic: no wall clock or ambient randomness inside.
 */
import { ApiServer, Client, type ApiResult, type WatchEventType } from './api/api-server.js';
import { formatDuration } from './api/duration.js';
import { keyOf, objectKey, type KubeObject, type Node, type Pod } from './api/objects.js';
import { sample } from './core/distribution.js';
import { RngFactory } from './core/rng.js';
import { Simulation } from './core/simulation.js';
import { MICROS_PER_SECOND, type Micros } from './core/time.js';
import { DaemonSetController } from './controllers/daemonset.js';
import { CronJobController } from './controllers/cronjob.js';
import { DeploymentController } from './controllers/deployment.js';
import { HorizontalController } from './controllers/horizontal.js';
import { DisruptionController } from './controllers/disruption.js';
import { EndpointsController } from './controllers/endpoints.js';
import { JobController } from './controllers/job.js';
import { ReplicaSetController } from './controllers/replicaset.js';
import { StatefulSetController } from './controllers/statefulset.js';
import { PersistentVolumeController } from './controllers/persistent-volume.js';
import { ResourceClaimController } from './controllers/resource-claim.js';
import { nodeResourceSlice } from './node/dra-driver.js';
import { MetricsRecorder } from './metrics/recorder.js';
import { GANG_COLUMNS, summarize, type RunSummary } from './metrics/summary.js';
import type { TimeRow } from './metrics/timeseries.js';
import { Tracer, type TraceStep } from './metrics/trace.js';
import { KubeProxy } from './node/kube-proxy.js';
import { Kubelet, RegistryConditions, RUN_DURATION_ANNOTATION, normalizeImage } from './node/kubelet.js';
import { Rendezvous } from './node/rendezvous.js';
import { Fleet } from './cloud/fleet.js';
import { poolNode } from './cloud/node-pool.js';
import { NodeLifecycleController } from './controllers/node-lifecycle.js';
import { SharedInformer, SharedPodInformer } from './controllers/shared-informer.js';
import { TaintEvictionController } from './controllers/taint-eviction.js';
import { PodGarbageCollector } from './controllers/pod-gc.js';
import { FaultInjector } from './faults/injector.js';
import { ClusterAutoscaler, type CloudProvider, type NodeGroup } from './cloud/cluster-autoscaler.js';
import type { Lease } from './api/objects.js';
import { scenarioUsesGates, startGateRemover } from './workload/gate-remover.js';
import type { Arrival, Policy, PodWorkload, Scenario, TimedObject } from './scenario/types.js';
import { Scheduler, type SchedulerParams } from './scheduler/scheduler.js';
import type { ParallelScanner } from './scheduler/parallel/scanner.js';
import { churnSteps, varyingRateTimes } from './workload/arrivals.js';
import { timedGpuWorkload } from './gpu/experiment.js';
import { StepDriver } from './workload/step-driver.js';
import { podFromTemplate } from './workload/pod-from-template.js';

export interface RunOptions {
  /** Pod name (or namespace/name) whose workflow to record. */
  readonly trace?: string;
  /** Sees every committed change with the virtual time (invariant checks in tests, external tools). */
  readonly observe?: (t: Micros, type: WatchEventType, object: KubeObject, old: KubeObject | undefined) => void;
  /** Virtual time between two samples of timeseries.csv (default 1 s). */
  readonly sampleInterval?: Micros;
  /** Worker threads for the scheduler's node search (identical results; engine/scheduler/parallel/). */
  readonly scanner?: ParallelScanner;
}

export interface RunResult {
  readonly scenario: string;
  readonly policy: string;
  readonly seed: number;
  readonly summary: RunSummary;
  readonly fingerprint: string;
  readonly trace: readonly TraceStep[];
  /** Virtual time at the end of the run (the duration limit if events were still pending). */
  readonly end: Micros;
  /** The cluster state at every multiple of the sample interval up to the end (timeseries.csv). */
  readonly timeseries: readonly TimeRow[];
  /** Per-pod records, for conservation checks and pods.csv. */
  readonly recorder: MetricsRecorder;
  /** Final store contents (what etcd holds at the end), for invariants in tests. */
  readonly store: { readonly pods: readonly Pod[]; readonly nodes: readonly Node[] };
}

/** Arrival times of a workload's pods, drawn from its own stream so every policy sees the same ones. */
export function arrivalTimes(a: Arrival, rngs: RngFactory, name: string): Micros[] {
  const out: Micros[] = [];
  if (a.type === 'burst') {
    for (let i = 0; i < a.count; i++) out.push(a.at);
    return out;
  }
  if (a.type === 'churn')
    throw new Error(`workload ${name}: a churn is scheduled with its deletions (schedulePodWorkload), not as arrivals`);
  const rng = rngs.stream(`workload/${name}/arrivals`);
  if (a.type === 'varying') return varyingRateTimes(a.rate, a.start, a.count, a.poisson ? rng : null);
  const mean = MICROS_PER_SECOND / a.ratePerSecond;
  let t = a.start;
  for (let i = 0; i < a.count; i++) {
    out.push(Math.round(t));
    t += a.type === 'constant' ? mean : -Math.log(rng.nextOpen()) * mean;
  }
  return out;
}

/** Whether the scenario has storage objects (or StatefulSets with volumeClaimTemplates, which create claims). */
function usesStorage(scenario: Scenario): boolean {
  return scenario.objects.some(
    ({ object: o }) =>
      o.kind === 'PersistentVolumeClaim' ||
      o.kind === 'PersistentVolume' ||
      o.kind === 'StorageClass' ||
      o.kind === 'CSINode' ||
      (o.kind === 'StatefulSet' && (o.spec.volumeClaimTemplates?.length ?? 0) > 0),
  );
}

const DRA_KINDS: ReadonlySet<string> = new Set(['DeviceClass', 'ResourceClaim', 'ResourceClaimTemplate', 'ResourceSlice']);

/** Whether the scenario uses Dynamic Resource Allocation: DRA objects, a pool with a DRA driver, or pods with claims. */
function usesDra(scenario: Scenario): boolean {
  if (scenario.nodePools.some((p) => p.dra !== undefined)) return true;
  const claims = (spec: { readonly resourceClaims?: readonly unknown[] }): boolean => (spec.resourceClaims?.length ?? 0) > 0;
  if (scenario.podWorkloads.some((w) => claims(w.template.spec))) return true;
  for (const st of scenario.steps) {
    if (st.opcode === 'createPods' && claims(st.template.spec)) return true;
    if (st.opcode === 'churn' && st.templates.some((t) => claims(t.spec))) return true;
  }
  return scenario.objects.some(({ object: o }) => {
    if (DRA_KINDS.has(o.kind)) return true;
    if (o.kind === 'Pod') return claims(o.spec);
    if (o.kind === 'CronJob') return claims(o.spec.jobTemplate.spec.template.spec);
    if ('spec' in o && o.spec !== null && typeof o.spec === 'object' && 'template' in o.spec) {
      const t = (o.spec as { template?: { spec?: { resourceClaims?: readonly unknown[] } } }).template;
      return t?.spec !== undefined && claims(t.spec);
    }
    return false;
  });
}

export function runOnce(scenario: Scenario, policy: Policy, seed: number, opts: RunOptions = {}): RunResult {
  const p = scenario.params;
  const sim = new Simulation();
  const rngs = new RngFactory(seed);
  const tracer = new Tracer(opts.trace ?? null);
  const api = new ApiServer(sim, p.apiServer, rngs);
  const metrics = new MetricsRecorder(() => sim.now, tracer, opts.sampleInterval);
  api.onCommit(metrics.onCommit);
  const observe = opts.observe;
  if (observe !== undefined) api.onCommit((type, obj, old) => observe(sim.now, type, obj, old));

  const scheduler = new Scheduler(
    sim,
    api,
    policy.profiles,
    schedulerParams(p.scheduler, policy),
    rngs.stream('scheduler'),
    metrics,
    opts.scanner ?? null,
  );
  const gpuWorkload = timedGpuWorkload(scenario, policy);
  if (gpuWorkload !== null) scheduler.useGpuWorkload(gpuWorkload);
  const budgets = scenario.objects.some((o) => o.object.kind === 'PodDisruptionBudget');
  if (budgets) scheduler.useDisruptionBudgets();
  // kube-controller-manager's controllers share one pod watch (its SharedInformerFactory), indexed by
  // spec.nodeName only when the node lifecycle controllers, which list pods per node, run.
  const groups: NodeGroup[] = scenario.nodePools
    .filter((pool) => pool.autoscaling !== null)
    .map((pool) => ({
      pool: pool.name,
      min: pool.autoscaling?.min ?? 0,
      max: pool.autoscaling?.max ?? 0,
      template: (i: number) => poolNode(pool, i),
      nextIndex: pool.count,
    }));
  const lifecycle = p.nodeLifecycle.enabled ?? (scenario.faults.length > 0 || groups.length > 0);
  const podsByNode = lifecycle ? new SharedPodInformer(api, 'kube-controller-manager/pods') : null;
  const kcmPods = podsByNode ?? new SharedInformer<Pod>(api, 'Pod', 'kube-controller-manager/pods');
  const replicaSets = new ReplicaSetController(sim, api, p.controllerManager.replicaSet, rngs, kcmPods);
  new DeploymentController(api, p.controllerManager.deployment, replicaSets);
  new EndpointsController(sim, api, p.controllerManager.endpoints, kcmPods);
  new JobController(sim, api, p.controllerManager.job, rngs, kcmPods);
  // Controllers of kinds the scenario may not use open their watches only when it does: a watch shifts the ids of
  // those opened after it, which enter the run fingerprint.
  const hasKind = (kind: string): boolean => scenario.objects.some((o) => o.object.kind === kind);
  if (hasKind('StatefulSet')) new StatefulSetController(sim, api, p.controllerManager.statefulSet, kcmPods);
  if (hasKind('HorizontalPodAutoscaler')) new HorizontalController(sim, api, p.controllerManager.horizontal, kcmPods);
  if (hasKind('CronJob')) new CronJobController(sim, api, p.controllerManager.cronJob, kcmPods);
  if (budgets) new DisruptionController(sim, api, p.controllerManager.disruption, kcmPods);
  // Storage (PersistentVolumeClaims, PersistentVolumes, StorageClasses, claim templates): the scheduler's volume
  // informers and the PV controller, only for scenarios that have some (their watches shift later watch ids).
  if (usesStorage(scenario)) {
    scheduler.useStorage(hasKind('CSINode'));
    new PersistentVolumeController(sim, api, p.controllerManager.persistentVolume, rngs.stream('persistent-volume-controller'));
  }
  // Dynamic Resource Allocation: the scheduler's DRA informers and the resource-claim controller, only for scenarios
  // that use it (their watches shift later watch ids); a pool's DRA driver publishes a ResourceSlice per node.
  if (usesDra(scenario)) {
    scheduler.useDynamicResources();
    new ResourceClaimController(api, p.controllerManager.resourceClaim, kcmPods);
  }
  const draDrivers = new Map(scenario.nodePools.flatMap((pool) => (pool.dra === undefined ? [] : [[pool.name, pool.dra] as const])));
  new KubeProxy(sim, api, p.kubeProxy, rngs.stream('kube-proxy'), metrics);

  const imageSize = (image: string): number => p.imageSizes.get(normalizeImage(image)) ?? p.defaultImageSize;
  // cluster-admin credentials (system:masters): the exempt APF priority level; the scenario paces its own load.
  const user = new Client('scenario', p.workloadClient, 'exempt');

  // Nodes register at t = 0 (the kubelet's node registration), each with its kubelet watching its pods.
  const fleet = new Fleet();
  const registry = new RegistryConditions();
  const rendezvous = new Rendezvous();
  const startMachine = (pool: string, node: Node, client: Client, done?: (r: ApiResult) => void): void => {
    const name = node.metadata.name;
    const kubelet = new Kubelet(sim, api, node, p.kubelet, rngs.stream(`kubelet/${name}`), imageSize, metrics, registry, rendezvous);
    fleet.add({ name, pool, labels: node.metadata.labels, kubelet });
    const driver = draDrivers.get(pool);
    // The DRA driver's kubelet plugin publishes the node's ResourceSlice once the node is registered.
    api.create(
      client,
      node,
      driver === undefined
        ? done
        : (r) => {
            done?.(r);
            if (r.ok) api.create(client, nodeResourceSlice(driver, name));
          },
    );
    if (lifecycle) kubelet.startLease(p.nodeLifecycle.lease, rngs.stream(`kubelet/${name}/lease`));
  };
  for (const pool of scenario.nodePools) for (let i = 0; i < pool.count; i++) startMachine(pool.name, poolNode(pool, i), user);

  // Node leases, the node lifecycle controller and taint-based eviction (docs/model/faults.md: on with faults or autoscaling,
  // or when asked).
  let kcmNodes: SharedInformer<Node> | null = null;
  if (podsByNode !== null) {
    const nodeInformer = (kcmNodes = new SharedInformer<Node>(api, 'Node', 'kube-controller-manager/nodes'));
    const leaseInformer = new SharedInformer<Lease>(api, 'Lease', 'kube-controller-manager/leases');
    new NodeLifecycleController(sim, api, p.nodeLifecycle.controller, nodeInformer, leaseInformer, podsByNode);
    new TaintEvictionController(sim, api, { client: p.nodeLifecycle.evictionClient }, nodeInformer, podsByNode, metrics);
    new PodGarbageCollector(sim, api, new Client('pod-garbage-collector', p.nodeLifecycle.evictionClient), nodeInformer, podsByNode);
  }
  // The DaemonSet controller reads the shared node informer, opened for it alone (one more Node watch, with its
  // fan-out cost) only when the scenario has a DaemonSet.
  const daemonSets = hasKind('DaemonSet');
  if (daemonSets) {
    kcmNodes ??= new SharedInformer<Node>(api, 'Node', 'kube-controller-manager/nodes');
    new DaemonSetController(sim, api, p.controllerManager.daemonSet, rngs, kcmPods, kcmNodes);
  }
  if (scenario.faults.length > 0) new FaultInjector(sim, fleet, api, registry, rngs, metrics).schedule(scenario.faults);
  if (groups.length > 0) {
    // The cloud provider: a new machine's kubelet registers its Node once the machine is up.
    const cloud: CloudProvider = {
      createNode: (g, node) => startMachine(g.pool, node, new Client(`kubelet/${node.metadata.name}`, p.kubelet.client, 'node')),
      deleteNode: (name) => {
        const m = fleet.get(name);
        if (m === undefined) return;
        m.kubelet.crash();
        fleet.remove(name);
        api.delete(cloudClient, 'Node', `Node/${name}`);
      },
    };
    const cloudClient = new Client('cloud-node-lifecycle-controller', p.controllerManager.replicaSet.client);
    new ClusterAutoscaler(sim, api, p.clusterAutoscaler, groups, cloud, rngs.stream('cluster-autoscaler'), null, {
      daemonSets,
      budgets,
      profiles: policy.profiles,
    });
  }

  if (scenarioUsesGates(scenario)) startGateRemover(sim, api, user);
  applyWaves(
    sim,
    api,
    user,
    scenario.objects.filter((o) => o.wave !== undefined),
  );
  for (const o of scenario.objects) if (o.wave === undefined) sim.callAt(o.at, () => apply(api, user, o.object));

  for (const w of scenario.podWorkloads) schedulePodWorkload(w, sim, api, user, rngs, scenario.duration);

  // The step list (scheduler_perf's ops) runs from t = 0 on the live cluster; its collectMetrics pods alone
  // feed the scheduling latency and throughput metrics, as scheduler_perf measures only those.
  if (scenario.steps.length > 0) {
    if (scenario.steps.some((st) => (st.opcode === 'createPods' && st.collectMetrics) || st.opcode === 'startCollectingMetrics'))
      metrics.measured = new Set();
    new StepDriver(sim, api, user, scenario.steps, {
      startNode: (pool, node, done) => startMachine(pool, node, user, done),
      measure: (key) => metrics.measured?.add(key),
    });
  }

  const end = sim.run(scenario.duration);
  const finalTime = sim.pending > 0 ? scenario.duration : end;
  // Pods still waiting at Permit held their GPUs until the end.
  scheduler.endGangWaits(finalTime);
  const summary = summarize(metrics, {
    schedulingAttempts: scheduler.attempts,
    unschedulableAttempts: scheduler.unschedulableAttempts,
    apiRequests: api.requestLog.length,
    throttledRequests: api.throttled,
    rejected429: api.rejected429,
    events: sim.eventsProcessed,
    end: finalTime,
    requests: api.requestLog,
    gangTimeouts: scheduler.gangEnabled ? scheduler.gangTimeouts : undefined,
  });
  // The gang columns enter the fingerprint only in runs with Coscheduling (the runs pinned before them keep theirs).
  sim.fingerprint.addString(
    JSON.stringify(summary, (k, v: unknown) => (GANG_COLUMNS.includes(k as keyof RunSummary) && Number.isNaN(v) ? undefined : v)),
  );
  return {
    scenario: scenario.name,
    policy: policy.name,
    seed,
    summary,
    fingerprint: sim.fingerprint.value(),
    trace: tracer.steps,
    end: finalTime,
    timeseries: metrics.series.finish(finalTime),
    recorder: metrics,
    // Listed when read (tests check invariants on it; sweeps never do).
    get store() {
      return { pods: api.etcd.list('Pod/') as Pod[], nodes: api.etcd.list('Node/') as Node[] };
    },
  };
}

/**
 * `kubectl apply`: create the object or, for a Deployment, ReplicaSet or Service that exists, replace its spec,
 * labels and annotations, keeping identity and status — how a scenario changes a Deployment's template or
 * replicas later; a StatefulSet applied again is scaled to its new replicas. (Pod specs and PriorityClass values
 * are immutable upstream; a second apply is ignored.)
 */
/** Time a wave of the starting state is given after its last create returns, for watch events to reach every cache. */
export const WAVE_SETTLE: Micros = 100_000;

/**
 * The starting state of a cluster dump, created from t = 0 wave by wave (TimedObject.wave): each wave once every
 * create of the previous one has returned and WAVE_SETTLE has passed, so the pods are in the controllers' caches
 * before their ReplicaSets arrive, and those before their Deployments.
 */
function applyWaves(sim: Simulation, api: ApiServer, user: Client, objects: readonly TimedObject[]): void {
  const waves = [...new Set(objects.map((o) => o.wave as number))].sort((a, b) => a - b).map((w) => objects.filter((o) => o.wave === w));
  const next = (i: number): void => {
    if (i >= waves.length) return;
    let pending = waves[i].length;
    for (const o of waves[i])
      apply(api, user, o.object, () => {
        if (--pending === 0) sim.callAt(sim.now + WAVE_SETTLE, () => next(i + 1));
      });
  };
  if (waves.length > 0) sim.callAt(0, () => next(0));
}

function apply(api: ApiServer, user: Client, obj: KubeObject, done?: () => void): void {
  api.create(user, obj, (r) => {
    done?.();
    // A StatefulSet applied again is scaled (the loader refuses any other change to it).
    if (r.code === 409 && obj.kind === 'StatefulSet') {
      const replicas = obj.spec.replicas;
      api.update(user, 'StatefulSet', keyOf(obj), (cur) =>
        cur.kind === 'StatefulSet' ? { ...cur, spec: { ...cur.spec, replicas } } : null,
      );
      return;
    }
    if (r.code !== 409 || (obj.kind !== 'Deployment' && obj.kind !== 'ReplicaSet' && obj.kind !== 'Service' && obj.kind !== 'Job')) return;
    api.update(user, obj.kind, keyOf(obj), (cur) => {
      if (cur.kind !== obj.kind) return null;
      // A Job's template and completions are immutable (ValidateJobSpecUpdate): apply changes suspend,
      // parallelism and activeDeadlineSeconds only.
      const spec =
        cur.kind === 'Job' && obj.kind === 'Job'
          ? {
              ...cur.spec,
              parallelism: obj.spec.parallelism,
              suspend: obj.spec.suspend,
              activeDeadlineSeconds: obj.spec.activeDeadlineSeconds,
            }
          : obj.spec;
      return {
        ...cur,
        spec,
        metadata: { ...cur.metadata, labels: obj.metadata.labels, annotations: obj.metadata.annotations },
      } as KubeObject;
    });
  });
}

function schedulePodWorkload(w: PodWorkload, sim: Simulation, api: ApiServer, user: Client, rngs: RngFactory, end: Micros): void {
  const lifetimes = rngs.stream(`workload/${w.name}/lifetimes`);
  const podAt = (i: number): Pod => {
    const annotations: Record<string, string> = {};
    if (w.lifetime !== null) annotations[RUN_DURATION_ANNOTATION] = formatDuration(sample(w.lifetime, lifetimes));
    return podFromTemplate(w.template, `${w.name}-${i}`, w.namespace, annotations);
  };
  if (w.arrival.type === 'churn') {
    // Pods are built in creation order so lifetimes are drawn in the same order as for other arrivals.
    const steps = churnSteps(w.arrival.churn, end);
    inOrder(
      sim,
      steps.length,
      (k) => steps[k].t,
      (k) => {
        const step = steps[k];
        if (step.op === 'create') api.create(user, podAt(step.pod));
        else api.delete(user, 'Pod', objectKey('Pod', w.namespace, `${w.name}-${step.pod}`));
      },
    );
    return;
  }
  const times = arrivalTimes(w.arrival, rngs, w.name);
  inOrder(
    sim,
    times.length,
    (i) => times[i],
    (i) => api.create(user, podAt(i)),
  );
}

/**
 * Runs `fire(0)`, `fire(1)`, … at their (non-decreasing) times with one event pending at a time, each built
 * when it fires: a 150,000-pod workload keeps one entry in the event queue instead of 150,000 closures and pod
 * objects made at t = 0 (a smaller heap to sift, less memory for GC to trace). Pods are still built, and their
 * lifetimes drawn, in creation order.
 */
function inOrder(sim: Simulation, count: number, timeOf: (i: number) => Micros, fire: (i: number) => void): void {
  const step = (i: number): void => {
    fire(i);
    if (i + 1 < count) sim.callAt(timeOf(i + 1), () => step(i + 1));
  };
  if (count > 0) sim.callAt(timeOf(0), () => step(0));
}

/** The scenario's scheduler parameters with the policy's KubeSchedulerConfiguration settings over them. */
export function schedulerParams(base: Omit<SchedulerParams, 'client'>, policy: Policy): SchedulerParams {
  const q = policy.queue;
  return {
    ...base,
    client: policy.client,
    podInitialBackoff: q?.podInitialBackoff ?? base.podInitialBackoff,
    podMaxBackoff: q?.podMaxBackoff ?? base.podMaxBackoff,
    parallelism: q?.parallelism ?? base.parallelism,
    queueingHints: policy.featureGates?.SchedulerQueueingHints ?? base.queueingHints,
    podLevelResources: policy.featureGates?.PodLevelResources ?? base.podLevelResources,
  };
}
