/**
 * The FGD study's experiment driver (fgd-method.md §3.4): the pods arrive one by one, with no time and no
 * departures; each is filtered against every node, scored on every feasible node (percentageOfNodesToScore
 * 100) by the profile's GPU score plugins with integer scores, bound to the best node — ties go to the node
 * first in the run's static random order — and given GPU devices by Open-Gpu-Share's Reserve; a pod that fits
 * nowhere is dropped (all pods have the same priority, so preemption cannot help). After every pod the
 * arrived GPU milli, allocated GPU milli and the cluster's fragmentation are logged.
 *
 * This replay does not go through the API server/kubelet path of engine/run.ts: the study measures placement
 * only, and its simulator binds synchronously. Filter and score are the same plugin functions a timed run would
 * use (engine/gpu/plugins).
 */
import type { Node, Pod } from '../api/objects.js';
import { Fingerprint } from '../core/fingerprint.js';
import { RngFactory } from '../core/rng.js';
import { arrivalSequence, nodePriorityOrder } from './arrivals.js';
import { GpuCluster, gpuModels } from './cluster.js';
import { FGD, selMethodOf, type GpuProfile } from './config.js';
import { Fragmentation } from './fragmentation.js';
import type { EventLog } from './metrics.js';
import { bestDevice, randomDevice, wholeDevices } from './plugins/device-select.js';
import { FgdScore } from './plugins/fgd-score.js';
import { gpuTagOf } from './plugins/gpu-clustering-score.js';
import { addGpuScores, type FgdScorer } from './plugins/gpu-scores.js';
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

/** What every run of a replay shares: the nodes, the pod table and FGD's typical pods (from the original pods). */
export interface ReplayInput {
  readonly nodes: readonly Node[];
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
  return { nodes, pods: table, typical };
}

export function replay(input: ReplayInput, profile: GpuProfile, opts: ReplayOptions, seed: number): ReplayResult {
  const { nodes, pods: p, typical } = input;
  const rngs = new RngFactory(seed);
  // The cluster's rows are laid out in the run's static priority order, so the filter walks memory in order and
  // a tie goes to the lowest row.
  const order = nodePriorityOrder(
    nodes.map((x) => x.metadata.name),
    rngs.stream('gpu/node-order'),
  );
  const c = new GpuCluster(Array.from(order, (i) => nodes[i]));
  const capacity = c.totalGpus * MILLI_PER_GPU;
  const originals = Array.from({ length: p.count }, (_, i) => i);
  const seq = arrivalSequence(p, originals, capacity, opts.tuneRatio, opts.shuffle, rngs.stream('gpu/arrivals'));
  const policyRng = rngs.stream('gpu/random-score');
  const deviceRng = rngs.stream('gpu/random-device');
  const frag = new Fragmentation(c, typical);
  const fgd = new FgdScore(c, frag);
  const sel = selMethodOf(profile);
  const scorers = profile.scores;
  const usesFgd = scorers.some((s) => s.name === FGD);
  // FGD scores are cached per (node, pod class) and dropped when the node changes.
  const keys = p.keys;
  const memo = usesFgd ? new Int16Array(c.count * keys).fill(-1) : new Int16Array(0);
  let podKey = 0;
  const memoFgd: FgdScorer = {
    score(row, cpu, gpus, milli) {
      const idx = row * keys + podKey;
      let v = memo[idx];
      if (v < 0) v = memo[idx] = fgd.score(row, cpu, gpus, milli);
      return v;
    },
  };
  const scored = { cpu: 0, gpus: 0, milli: 0 };

  const n = c.count;
  const events = seq.rows.length;
  const log: EventLog = { arrived: new Float64Array(events), allocated: new Float64Array(events), frag: new Float64Array(events) };
  const feasible = new Int32Array(n);
  const scores = new Float64Array(n);
  const raw = new Float64Array(n);
  const fp = new Fingerprint();
  let arrived = 0;
  let allocated = 0;
  let scheduled = 0;
  let failed = 0;
  const { cpuFree, memFree, pods: podCount, podAlloc, model, maxLeft, fullFree } = c;
  const checkFit = profile.fitFilter;
  const models = c.models.length;
  const accept = p.accept;

  for (let e = 0; e < events; e++) {
    const r = seq.rows[e];
    const cpu = p.cpu[r];
    const mem = p.mem[r];
    const gpus = p.gpus[r];
    const milli = p.milli[r];
    const sharing = gpus === 1 && milli < MILLI_PER_GPU;
    arrived += gpus * milli;
    // ---- Filter: NodeResourcesFit (cpu, memory, pods), then Open-Gpu-Share (model, devices).
    // (GPU checks first: once the cluster fills up they reject most nodes.)
    let found = 0;
    const acceptBase = r * models;
    for (let row = 0; row < n; row++) {
      if (gpus > 0) {
        if (sharing ? maxLeft[row] < milli : fullFree[row] < gpus) continue;
        const m = model[row];
        if (m < 0 || accept[acceptBase + m] === 0) continue;
      }
      if (checkFit) {
        if (cpu > 0 && cpu > cpuFree[row]) continue;
        if (mem > 0 && mem > memFree[row]) continue;
        if (podCount[row] + 1 > podAlloc[row]) continue;
      }
      feasible[found++] = row;
    }
    if (found === 0) {
      failed++;
      fp.addWord(e);
      fp.addWord(-1);
    } else {
      let chosen = feasible[0];
      if (found > 1) {
        // ---- Score: weighted sum of the GPU score plugins, integer scores.
        scores.fill(0, 0, found);
        podKey = p.key[r];
        scored.cpu = cpu;
        scored.gpus = gpus;
        scored.milli = milli;
        addGpuScores(c, scorers, scored, feasible, found, scores, raw, usesFgd ? memoFgd : null, policyRng);
        // ---- selectHost: the maximum; ties keep the node first in the static order (the study's fork).
        let best = scores[0];
        for (let f = 1; f < found; f++) {
          if (scores[f] > best) {
            best = scores[f];
            chosen = feasible[f];
          }
        }
      }
      // ---- Reserve: the devices.
      let devices = 0;
      if (gpus > 0) {
        let dev = -1;
        if (!sharing) devices = wholeDevices(c, chosen, gpus);
        else if (sel === 'FGDScore') {
          fgd.score(chosen, cpu, gpus, milli);
          dev = fgd.device;
        } else if (sel === 'random') dev = randomDevice(c, chosen, milli, deviceRng);
        else dev = bestDevice(c, chosen, milli);
        if (sharing) devices = dev < 0 ? 0 : 1 << dev;
        if (devices === 0) throw new Error(`internal: no device for pod ${p.names[r]} on feasible node ${c.names[chosen]}`);
      }
      c.bind(chosen, cpu, mem, milli, devices, gpuTagOf(gpus, milli));
      frag.refresh(chosen);
      if (usesFgd) memo.fill(-1, chosen * keys, chosen * keys + keys);
      allocated += gpus * milli;
      scheduled++;
      fp.addWord(e);
      fp.addWord(chosen);
      fp.addWord(devices);
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
