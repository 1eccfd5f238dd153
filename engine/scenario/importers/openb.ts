/**
 * Import of the "openb" trace format (alibaba/clusterdata cluster-trace-gpu-v2023, ../shared/traces/README.md)
 * into a scenario's cluster and workload, as the manifests a GPU-sharing cluster would hold (resources.ts):
 *
 * - nodes CSV `sn, cpu_milli, memory_mib, gpu, model` → one Node each: allocatable cpu, memory, pods 1001 (the
 *   study's node YAMLs), `alibabacloud.com/gpu-count` and `-gpu-milli`, label `alibabacloud.com/gpu-card-model`;
 * - pods CSV `name, cpu_milli, memory_mib, num_gpu, gpu_milli, gpu_spec[, qos, pod_phase, creation_time,
 *   deletion_time, scheduled_time]` → one bare Pod each (one container requesting the cpu and memory, GPU
 *   annotations), created at creation_time (seconds) and, when deletion_time is given, running for
 *   deletion_time − creation_time (annotation kubesim.io/run-duration, restartPolicy Never).
 *
 * The GPU replay ignores the timestamps (the study's arrival-only replay); a timed run through the full
 * control plane uses them, optionally on a window of the trace (`from`, `until`) with arrivals compressed by
 * `timeScale` (run times unchanged). The files are read where they lie — the trace is not copied into kubesim.
 */
import { readInputFile } from '../input-file.js';
import { podSpecOf, type Node, type Pod } from '../../api/objects.js';
import { InputError } from '../input-error.js';
import type { ScenarioDir } from '../input-file.js';
import type { TimedObject } from '../types.js';
import type { NodePool } from '../../cloud/node-pool.js';
import type { Field } from '../yaml-field.js';
import { RUN_DURATION_ANNOTATION } from '../../node/kubelet.js';
import { parseCsv } from '../../report/csv-read.js';
import { GPU_COUNT, GPU_MILLI, GPU_MODEL, MAX_GPUS_PER_NODE, MILLI_PER_GPU } from '../../gpu/resources.js';

const MIB = 1024 * 1024;
/** Allocatable pods of the study's node YAMLs (node_yaml/openb_node_list_gpu_node.yaml). */
export const OPENB_NODE_PODS = 1001;
const NODE_COLUMNS = ['sn', 'cpu_milli', 'memory_mib', 'gpu', 'model'] as const;
const POD_COLUMNS = ['name', 'cpu_milli', 'memory_mib', 'num_gpu', 'gpu_milli', 'gpu_spec'] as const;
const POD_TIME_COLUMNS = ['creation_time', 'deletion_time'] as const;

interface Table {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: readonly string[][];
}

function readTable(file: string, text: string, required: readonly string[]): Table {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (e) {
    throw new InputError(file, 0, 0, '', e instanceof Error ? e.message : String(e));
  }
  const header = rows[0] ?? [];
  for (const col of required)
    if (!header.includes(col))
      throw new InputError(file, 1, 0, '', `expected an openb CSV header with column "${col}", got "${header.join(',')}"`);
  return { file, header, rows: rows.slice(1).filter((r) => !(r.length === 1 && r[0] === '')) };
}

/** A cell as a non-negative integer (line numbers count the header as line 1). */
function intCell(t: Table, row: number, col: string, max = Number.MAX_SAFE_INTEGER): number {
  const v = t.rows[row][t.header.indexOf(col)] ?? '';
  if (!/^[0-9]+$/.test(v) || Number(v) > max)
    throw new InputError(t.file, row + 2, 0, col, `expected an integer from 0 to ${max}, got "${v}"`);
  return Number(v);
}

function strCell(t: Table, row: number, col: string): string {
  const i = t.header.indexOf(col);
  return i < 0 ? '' : (t.rows[row][i] ?? '');
}

function meta(name: string, labels: Record<string, string>, annotations: Record<string, string>, namespace: string): Node['metadata'] {
  return { name, namespace, uid: '', labels, annotations, ownerReferences: [], creationTimestamp: 0, resourceVersion: 0 };
}

export function openbNodes(file: string, text: string): Node[] {
  const t = readTable(file, text, NODE_COLUMNS);
  const seen = new Set<string>();
  return t.rows.map((_, i) => {
    const name = strCell(t, i, 'sn');
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name))
      throw new InputError(file, i + 2, 0, 'sn', `expected a DNS-1123 node name, got "${name}"`);
    if (seen.has(name)) throw new InputError(file, i + 2, 0, 'sn', `duplicate node name "${name}"`);
    seen.add(name);
    const gpus = intCell(t, i, 'gpu', MAX_GPUS_PER_NODE);
    const model = strCell(t, i, 'model');
    if (gpus > 0 && model === '') throw new InputError(file, i + 2, 0, 'model', `node ${name} has ${gpus} GPUs but no GPU model`);
    const allocatable: Record<string, number> = {
      cpu: intCell(t, i, 'cpu_milli'),
      memory: intCell(t, i, 'memory_mib') * MIB,
      pods: OPENB_NODE_PODS,
      [GPU_COUNT]: gpus,
      [GPU_MILLI]: gpus * MILLI_PER_GPU,
    };
    return {
      kind: 'Node',
      metadata: meta(name, gpus > 0 ? { [GPU_MODEL]: model } : {}, {}, ''),
      spec: { unschedulable: false, taints: [] },
      status: { capacity: allocatable, allocatable, images: [], ready: true },
    };
  });
}

export interface TracePod {
  readonly pod: Pod;
  /** creation_time, µs from the trace start (0 when the file has no timestamps). */
  readonly at: number;
}

/** Which pods a timed import keeps and when they arrive (the `trace:` keys from, until, timeScale). */
export interface TraceWindow {
  /** Pods created in [from, until) of trace time (µs) are kept. */
  readonly from: number;
  readonly until: number;
  /** Creation times after `from` are multiplied by it; run times are not (offered load × 1/timeScale). */
  readonly timeScale: number;
}

export const WHOLE_TRACE: TraceWindow = { from: 0, until: Infinity, timeScale: 1 };

export function openbPods(file: string, text: string, timed: boolean, window: TraceWindow = WHOLE_TRACE): TracePod[] {
  const t = readTable(file, text, POD_COLUMNS);
  const hasTimes = POD_TIME_COLUMNS.every((c) => t.header.includes(c));
  const seen = new Set<string>();
  const out: TracePod[] = [];
  t.rows.forEach((_, i) => {
    const name = strCell(t, i, 'name');
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name))
      throw new InputError(file, i + 2, 0, 'name', `expected a DNS-1123 pod name, got "${name}"`);
    if (seen.has(name)) throw new InputError(file, i + 2, 0, 'name', `duplicate pod name "${name}"`);
    seen.add(name);
    const gpus = intCell(t, i, 'num_gpu', MAX_GPUS_PER_NODE);
    const milli = intCell(t, i, 'gpu_milli', MILLI_PER_GPU);
    if (gpus > 1 && milli !== MILLI_PER_GPU)
      throw new InputError(file, i + 2, 0, 'gpu_milli', `a pod with ${gpus} GPUs takes them whole (1000), got ${milli}`);
    const spec = strCell(t, i, 'gpu_spec');
    const annotations: Record<string, string> = {};
    if (gpus > 0 && milli > 0) {
      annotations[GPU_COUNT] = String(gpus);
      annotations[GPU_MILLI] = String(milli);
      if (spec !== '') annotations[GPU_MODEL] = spec;
    }
    let at = 0;
    if (timed && hasTimes) {
      const created = intCell(t, i, 'creation_time');
      if (created * 1_000_000 < window.from || created * 1_000_000 >= window.until) return;
      at = Math.round((created * 1_000_000 - window.from) * window.timeScale);
      if (strCell(t, i, 'deletion_time') !== '') {
        const deleted = intCell(t, i, 'deletion_time');
        if (deleted < created)
          throw new InputError(file, i + 2, 0, 'deletion_time', `deletion_time ${deleted} is before creation_time ${created}`);
        annotations[RUN_DURATION_ANNOTATION] = `${deleted - created}s`;
      }
    }
    const requests = { cpu: intCell(t, i, 'cpu_milli'), memory: intCell(t, i, 'memory_mib') * MIB };
    const pod: Pod = {
      kind: 'Pod',
      metadata: meta(name, {}, annotations, 'default'),
      spec: podSpecOf([{ name: 'main', image: 'openb-task', requests, limits: {}, ports: [] }], 'Never'),
      status: { phase: 'Pending', ready: false },
    };
    out.push({ pod, at });
  });
  return out;
}

/**
 * The scenario's `trace:` section: `{format: openb, nodes: FILE, pods: FILE, timed: true}`. Paths are relative
 * to the scenario's folder and, like every include, may leave it only when the CLI is given --allow-outside
 * (the bundled study scenario reads ../shared/traces in place that way, so the trace is never copied).
 */
export function parseTraceSection(
  f: Field,
  dir: ScenarioDir,
  resolveInside: (f: Field, dir: ScenarioDir) => string,
): { nodePools: NodePool[]; objects: TimedObject[] } {
  f.rejectUnknownKeys(['format', 'nodes', 'pods', 'timed', 'from', 'until', 'timeScale']);
  f.get('format').oneOf(['openb'] as const);
  if (!f.get('nodes').exists && !f.get('pods').exists) f.fail('expected nodes and/or pods: the trace CSV files');
  const timed = f.get('timed').optBool(true);
  const from = f.get('from').optDuration(0);
  const until = f.get('until').exists ? f.get('until').duration() : Infinity;
  if (until <= from) f.get('until').fail('expected a time after `from`');
  const timeScale = f.get('timeScale').optNum(1, { min: 1e-6, max: 1 });
  if (!timed && (f.get('from').exists || f.get('until').exists || f.get('timeScale').exists))
    f.fail('from, until and timeScale apply to a timed trace (timed: true)');
  const read = (ff: Field): [string, string] => {
    const path = resolveInside(ff, dir);
    return [path, readInputFile(path, dir.reads)];
  };
  const nodePools: NodePool[] = [];
  const objects: TimedObject[] = [];
  if (f.get('nodes').exists) {
    const [path, text] = read(f.get('nodes'));
    for (const node of openbNodes(path, text))
      nodePools.push({ name: node.metadata.name, count: 1, template: node, namedSingle: true, zones: [], autoscaling: null });
  }
  if (f.get('pods').exists) {
    const [path, text] = read(f.get('pods'));
    for (const p of openbPods(path, text, timed, { from, until, timeScale })) objects.push({ at: p.at, object: p.pod });
  }
  return { nodePools, objects };
}
