/**
 * The FGD study's experiment driver (fgd-method.md §3.4), a second driver of the scheduler's kernel beside the
 * timed control plane: no clock, no API server or kubelet, no departures. The pods arrive one by one; each runs
 * one scheduling cycle of the policy's profile in the kernel (engine/scheduler/kernel.ts: its enabled filters —
 * NodeResourcesFit, Open-Gpu-Share —, the GPU score plugins on every feasible node, percentageOfNodesToScore
 * 100), then the kernel's Open-Gpu-Share Reserve picks its devices, and the pod is accounted into the scheduler
 * cache's NodeTable (its resource and GPU columns, as the cache accounts an assumed pod; no pod list: the replay's
 * pods have no spreading or pod affinity, experiment.ts checks). A pod that fits nowhere is dropped (all pods have
 * the same priority, so preemption cannot help). After every pod the arrived GPU milli, allocated GPU milli and
 * the cluster's fragmentation are logged.
 *
 * What the study's simulator does differently from the timed scheduler is set as kernel options, not coded
 * here: ties at the top score go to the node first in the run's static random order (KernelOptions.hostTieBreak
 * 'lowestRow', the nodes being registered in that order), and the random score and random device choice draw
 * from streams of their own (gpu/random-score, gpu/random-device).
 */
import type { Node, Pod } from '../api/objects.js';
import { Fingerprint } from '../core/fingerprint.js';
import { RngFactory } from '../core/rng.js';
import { Kernel, type SearchState } from '../scheduler/kernel.js';
import { NodeTable } from '../scheduler/node-table.js';
import { podInput, type PodInput } from '../scheduler/pod-input.js';
import type { Profile } from '../scheduler/profile.js';
import { arrivalSequence, nodePriorityOrder } from './arrivals.js';
import { type GpuCluster, gpuModels } from './cluster.js';
import { Fragmentation } from './fragmentation.js';
import type { EventLog } from './metrics.js';
import { GpuPods } from './pods.js';
import { MILLI_PER_GPU } from './resources.js';
import { typicalPods, type TypicalPods } from './typical-pods.js';

export interface ReplayOptions {
  /** Target total GPU request as a multiple of GPU capacity (the study's tuneRatio, 1.3). */
  readonly tuneRatio: number;
  /** Shuffle the pods (sorted by name) before tuning. */
  readonly shuffle: boolean;
  /** FGD's podPopularityThreshold, % of pods covered by the typical classes (95). */
  readonly popularityThreshold: number;
}

export interface ReplayResult {
  readonly seed: number;
  readonly pods: number;
  readonly resampled: number;
  readonly removed: number;
  readonly scheduled: number;
  readonly failed: number;
  readonly capacityMilli: number;
  readonly log: EventLog;
  /** At the end: GPUs with any allocation, cpu and memory requested / allocatable (%). */
  readonly gpusInUse: number;
  readonly cpuPct: number;
  readonly memPct: number;
  /** Hash of every placement (pod event, node, devices). */
  readonly fingerprint: string;
}

/**
 * What every run of a replay shares: the nodes, the pods (the scheduler's inputs, and their table of GPU
 * requests) and FGD's typical pods (from the original pods).
 */
export interface ReplayInput {
  readonly nodes: readonly Node[];
  readonly inputs: readonly PodInput[];
  readonly pods: GpuPods;
  readonly typical: TypicalPods;
}

/** Throws an Error naming the node or pod whose GPU resources are malformed. */
export function prepare(nodes: readonly Node[], pods: readonly Pod[], popularityThreshold: number): ReplayInput {
  const table = new GpuPods(pods, gpuModels(nodes));
  const typical = typicalPods(
    table,
    Array.from({ length: table.count }, (_, i) => i),
    popularityThreshold,
  );
  const inputs = pods.map((p) =>
    podInput(p.spec, {
      namespace: p.metadata.namespace,
      labels: p.metadata.labels,
      name: p.metadata.name,
      annotations: p.metadata.annotations,
    }),
  );
  return { nodes, inputs, pods: table, typical };
}

/** One run: `profile` is the policy's scheduler profile (experiment.ts replayProfile checked what it enables). */
export function replay(input: ReplayInput, profile: Profile, opts: ReplayOptions, seed: number): ReplayResult {
  const { nodes, pods: p, typical, inputs } = input;
  const rngs = new RngFactory(seed);
  // The nodes register in the run's static priority order, so a node's row is its priority (hostTieBreak).
  const order = nodePriorityOrder(
    nodes.map((x) => x.metadata.name),
    rngs.stream('gpu/node-order'),
  );
  const t = new NodeTable(Math.max(1, nodes.length));
  t.enableGpu();
  for (const i of order) t.upsert(nodes[i]);
  const c = t.gpu as GpuCluster;
  const capacity = c.totalGpus * MILLI_PER_GPU;
  const originals = Array.from({ length: p.count }, (_, i) => i);
  const seq = arrivalSequence(p, originals, capacity, opts.tuneRatio, opts.shuffle, rngs.stream('gpu/arrivals'));
  const policyRng = rngs.stream('gpu/random-score');
  const deviceRng = rngs.stream('gpu/random-device');
  const kernel = new Kernel(profile, { hostTieBreak: 'lowestRow', diagnose: false });
  kernel.gpuShare?.setWorkload(typical);
  const state: SearchState = { nextStartNodeIndex: 0 };
  // The study's metric: the cluster's fragmentation after every pod (a node changes only when a pod lands on it).
  const frag = new Fragmentation(c, typical);

  const events = seq.rows.length;
  const log: EventLog = { arrived: new Float64Array(events), allocated: new Float64Array(events), frag: new Float64Array(events) };
  const fp = new Fingerprint();
  let arrived = 0;
  let allocated = 0;
  let scheduled = 0;
  let failed = 0;
  const n = c.count;
  const { cpuFree, memFree } = c;

  for (let e = 0; e < events; e++) {
    const r = seq.rows[e];
    const pod = inputs[r];
    const request = p.gpuRequest(r);
    arrived += request;
    const d = kernel.schedule(t, pod, state, policyRng);
    if (d.node < 0) {
      failed++;
      fp.addWord(e);
      fp.addWord(-1);
    } else {
      const row = d.node;
      const grant = kernel.reserveGpu(t, row, deviceRng);
      if (grant !== null && grant.devices === 0)
        throw new Error(`internal: no device for pod ${pod.name} on feasible node ${t.names[row]}`);
      t.account(row, pod.requests, 1, pod.hostPorts);
      if (grant !== null) t.accountGpu(row, grant, 1);
      frag.sync(row);
      allocated += request;
      scheduled++;
      fp.addWord(e);
      fp.addWord(row);
      fp.addWord(grant === null ? 0 : grant.devices);
    }
    log.arrived[e] = arrived;
    log.allocated[e] = allocated;
    log.frag[e] = frag.total();
  }

  let gpusInUse = 0;
  for (let i = 0; i < c.totalGpus; i++) if (c.left[i] < MILLI_PER_GPU) gpusInUse++;
  let cpuReq = 0;
  let cpuAlloc = 0;
  let memReq = 0;
  let memAlloc = 0;
  for (let i = 0; i < n; i++) {
    cpuAlloc += c.cpuAlloc[i];
    cpuReq += c.cpuAlloc[i] - cpuFree[i];
    memAlloc += c.memAlloc[i];
    memReq += c.memAlloc[i] - memFree[i];
  }
  return {
    seed,
    pods: events,
    resampled: seq.resampled,
    removed: seq.removed,
    scheduled,
    failed,
    capacityMilli: capacity,
    log,
    gpusInUse,
    cpuPct: cpuAlloc === 0 ? 0 : (100 * cpuReq) / cpuAlloc,
    memPct: memAlloc === 0 ? 0 : (100 * memReq) / memAlloc,
    fingerprint: fp.value(),
  };
}
