/**
 * Scenario file (YAML) → Scenario (plain data). Every field is validated where it is read, and every error
 * names the file, line and field path (InputError). Referenced files (manifests, node lists, scheduler
 * configurations) are resolved relative to the scenario's folder and may not leave it.
 * The format is documented in docs/reference/scenarios.md and docs/reference/scenario-format.md.
 */
import { DEFAULT_FLOW_CONTROL } from '../api/flow-control.js';
import { gangOf, gpuProfileOf } from '../scheduler/profile.js';
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, basename, extname, sep } from 'node:path';
import type { KubeObject, Node, PodTemplate } from '../api/objects.js';
import type { RateLimit } from '../api/rate-limiter.js';
import { cpuToMilli, QuantityError, quantityValue } from '../api/quantity.js';
import type { Distribution } from '../core/distribution.js';
import { DEFAULT_IMAGE_GC, DEFAULT_SIGTERM_EXIT, RUN_DURATION_ANNOTATION, runDuration, normalizeImage } from '../node/kubelet.js';
import { DEFAULT_PARAMS, KUBELET_CLIENT, CONTROLLER_MANAGER_CLIENT } from './defaults.js';
import { InputError } from './input-error.js';
import { parseKubectl } from './kubectl.js';
import { parseManifests, parsePodTemplate } from './manifests.js';
import { NotModeled } from './kinds.js';
import { parseClusterDump, type ClusterDump } from './importers/cluster-dump.js';
import { DEFAULT_POLICY, parseSchedulerConfig } from './scheduler-config.js';
import type { Micros } from '../core/time.js';
import { MAX_SAMPLES } from '../metrics/timeseries.js';
import type { Arrival, ClusterParams, Policy, PodWorkload, ReportOptions, Scenario, TimedObject } from './types.js';
import type { NodePool } from '../cloud/node-pool.js';
import { parseDraDriver } from './workloads/dynamic-resources.js';
import { readYamlFile, type Field } from './yaml-field.js';
import { ReadBudget, type ScenarioDir } from './input-file.js';
import { churnCreations } from '../workload/arrivals.js';
import { parseTraceSection } from './importers/openb.js';
import { checkGpuPolicies, checkGpuScenario, checkTimedGpu } from '../gpu/experiment.js';
import { parseGpuReplay } from '../gpu/replay-spec.js';
import { parseFaults } from '../faults/parse.js';
import { poolNode } from '../cloud/node-pool.js';
import { parseNodeLifecycle } from './lifecycle-params.js';
import { parseAutoscaler } from './autoscaler-params.js';
import { parseDistribution } from './distribution-field.js';
import { parseSteps, stepNodes, stepPods } from './steps.js';
import { parseExpectations } from './expect.js';
import { DEFAULT_TOLERATION_SECONDS } from '../api/default-toleration-seconds.js';

/** Hard limits that keep a malformed or hostile file from exhausting memory before a run starts. */
export const LIMITS = { nodes: 1_000_000, pods: 10_000_000, policies: 100, replications: 10_000 } as const;

export interface LoadedScenario {
  readonly scenario: Scenario;
  /** Human-readable notes (e.g. enabled plugins that are not modeled), printed by the CLI. */
  readonly warnings: readonly string[];
}

export interface LoadOptions {
  /** Let referenced files lie outside the scenario's folder (CLI --allow-outside); default false. */
  readonly allowOutside?: boolean;
  /** Cluster dumps given on the command line (`kubesim run --cluster DUMP.yaml`), added to cluster.import. */
  readonly clusterDumps?: readonly string[];
}

export function loadScenario(path: string, opts: LoadOptions = {}): LoadedScenario {
  const reads = new ReadBudget();
  const docs = readYamlFile(path, reads);
  if (docs.length !== 1) {
    throw new InputError(path, docs[1]?.line ?? 0, 0, '', `expected exactly one YAML document, found ${docs.length}`);
  }
  return parseScenario(docs[0], path, opts, reads);
}

export function parseScenario(f: Field, path: string, opts: LoadOptions = {}, reads: ReadBudget = new ReadBudget()): LoadedScenario {
  const warnings: string[] = [];
  const dir: ScenarioDir = { path: dirname(resolve(path)), allowOutside: opts.allowOutside === true, reads };
  f.rejectUnknownKeys([
    'name',
    'description',
    'seed',
    'replications',
    'duration',
    'cluster',
    'workloads',
    'images',
    'parameters',
    'policies',
    'report',
    'trace',
    'gpuReplay',
    'faults',
    'steps',
    'stepParams',
    'expect',
  ]);
  const name = f.get('name').exists ? f.get('name').str() : basename(path, extname(path));
  if (!/^[A-Za-z0-9._-]+$/.test(name)) f.get('name').fail(`expected a name of letters, digits, '.', '_' or '-', got "${name}"`);
  const seed = f.get('seed').optInt(1, { min: 0, max: 2 ** 32 - 1 });
  const replications = f.get('replications').optInt(1, { min: 1, max: LIMITS.replications });
  if (seed + replications - 1 > 2 ** 32 - 1)
    f.get('replications').fail(`seeds ${seed} to ${seed + replications - 1} go past 4294967295; lower the seed`);
  const duration = f.get('duration').optDuration(3600 * 1_000_000);
  if (duration <= 0) f.get('duration').fail('expected a positive duration');

  const cluster = f.get('cluster');
  cluster.rejectUnknownKeys(['nodePools', 'import']);
  const notModeled = new NotModeled();
  const nodePools = cluster
    .get('nodePools')
    .items()
    .map((p, i) => parseNodePool(p, i, dir));
  const dump = parseImports(cluster.get('import'), opts.clusterDumps ?? [], dir, notModeled, nodePools);
  nodePools.push(...dump.nodePools);
  // `trace:` (importers/openb.ts): a trace's nodes join the cluster and its pods the workloads.
  const trace = f.get('trace').exists ? parseTraceSection(f.get('trace'), dir, resolveInside) : null;
  if (trace !== null) nodePools.push(...trace.nodePools);
  const readDocs = (p: Field): Field[] => readYamlFile(resolveInside(p, dir), dir.reads);
  if (!f.get('steps').exists && f.get('stepParams').exists) f.get('stepParams').fail('stepParams apply to a steps list');
  const steps = parseSteps(f.get('steps'), f.get('stepParams'), { pools: nodePools, readDocs, limits: LIMITS });
  if (nodePools.length === 0 && stepNodes(steps) === 0)
    cluster.get('nodePools').fail('expected at least one node pool (or a createNodes step, or a cluster.import dump with Nodes)');
  const nodeCount = nodePools.reduce((s, p) => s + Math.max(p.count, p.autoscaling?.max ?? 0), 0) + stepNodes(steps);
  if (nodeCount > LIMITS.nodes) cluster.get('nodePools').fail(overLimit(nodeCount, 'nodes', LIMITS.nodes));

  // The dump's objects come first: they are the state the scenario's workloads arrive into.
  const objects: TimedObject[] = [...dump.objects];
  const podWorkloads: PodWorkload[] = [];
  const wl = f.get('workloads');
  for (const w of wl.items()) parseWorkload(w, dir, objects, podWorkloads, notModeled);
  // A churn creates pods until the end of the run: its count follows from the duration.
  podWorkloads.forEach((w, i) => {
    if (w.arrival.type === 'churn') podWorkloads[i] = { ...w, arrival: { ...w.arrival, count: churnCreations(w.arrival.churn, duration) } };
  });
  if (trace !== null) objects.push(...trace.objects);
  const podCount =
    podWorkloads.reduce((s, w) => s + w.arrival.count, 0) + objects.reduce((s, o) => s + replicasOf(o), 0) + stepPods(steps, duration);
  if (podCount > LIMITS.pods) wl.fail(overLimit(podCount, 'pods', LIMITS.pods));
  objects.sort((a, b) => a.at - b.at);

  const params = parseParameters(f.get('parameters'), f.get('images'));
  const policies = parsePolicies(f.get('policies'), dir, warnings);
  const note = notModeled.note();
  if (note !== null) warnings.push(note);
  // Fields read but not simulated (field-dispositions.ts), once per field: from the files read and the scenario itself.
  warnings.push(...reads.notes.lines());
  if (f.notes !== reads.notes) warnings.push(...f.notes.lines());
  if (dump.finishedPods > 0)
    warnings.push(
      `cluster dump: ${dump.finishedPods} finished pod${dump.finishedPods === 1 ? '' : 's'} (Succeeded or Failed) left out of the starting state`,
    );
  const description = f.get('description').optStr('');
  const report = parseReportOptions(f.get('report'), duration, policies);
  const gpuReplay = f.get('gpuReplay').exists ? parseGpuReplay(f.get('gpuReplay')) : undefined;
  if (gpuReplay !== undefined && steps.length > 0)
    f.get('steps').fail('a gpuReplay scenario replays arrivals only; steps need the timed control-plane run');
  if (gpuReplay !== undefined) checkGpuPolicies(f.get('policies'), policies);
  else if (policies.some((p) => p.profiles.some((g) => gpuProfileOf(g) !== null)))
    checkTimedGpu(cluster.get('nodePools'), wl, nodePools, objects);
  const knownNodes = nodePools.flatMap((p) => Array.from({ length: p.count }, (_, i) => ({ ...poolNode(p, i).metadata, pool: p.name })));
  const faults = parseFaults(
    f.get('faults'),
    knownNodes,
    nodePools.map((p) => p.name),
    duration,
  );
  const expect = parseExpectations(
    f.get('expect'),
    policies.map((p) => p.name),
  );
  const scenario: Scenario = {
    name,
    file: path,
    description,
    seed,
    replications,
    report,
    duration,
    nodePools,
    objects,
    podWorkloads,
    params,
    policies,
    faults,
    steps,
    expect,
  };
  if (gpuReplay === undefined) return { scenario, warnings };
  if (expect.length > 0) f.get('expect').fail('expectations apply to timed runs; a gpuReplay scenario does not support them yet');
  checkGpuScenario(f.get('gpuReplay'), scenario, gpuReplay);
  return { scenario: { ...scenario, gpuReplay }, warnings };
}

function parseReportOptions(f: Field, duration: Micros, policies: readonly Policy[]): ReportOptions {
  f.rejectUnknownKeys(['interval', 'pods', 'baseline']);
  const interval = f.get('interval').optDuration(1_000_000);
  if (interval <= 0) f.get('interval').fail('expected a positive duration, e.g. 1s');
  if (Math.ceil(duration / interval) > MAX_SAMPLES)
    f.get('interval').fail(
      `${Math.ceil(duration / interval)} samples over the duration is over the limit of ${MAX_SAMPLES}; use a longer interval`,
    );
  const baseline = f.get('baseline').exists ? f.get('baseline').str() : null;
  if (baseline !== null && !policies.some((p) => p.name === baseline)) {
    f.get('baseline').fail(`expected the name of a policy (${policies.map((p) => p.name).join(', ')}), got "${baseline}"`);
  }
  return { interval, pods: f.get('pods').optBool(false), baseline };
}

/** Pods an object asks for; a controller of a cluster dump owns pods of the dump, counted as Pods. */
function replicasOf(t: TimedObject): number {
  const o = t.object;
  if (t.wave !== undefined && o.kind !== 'Pod') return 0;
  if (o.kind === 'Pod') return 1;
  if (o.kind === 'Deployment' || o.kind === 'ReplicaSet') return o.spec.replicas;
  if (o.kind === 'Job') return o.spec.completions ?? o.spec.parallelism;
  if (o.kind === 'StatefulSet') return o.spec.replicas;
  // A DaemonSet's pod count depends on the nodes (at most one per node): not counted here.
  return 0;
}

/** Nodes the scenario starts with or its steps create (autoscaled growth aside). */
export function scenarioNodes(s: Scenario): number {
  return s.nodePools.reduce((n, p) => n + p.count, 0) + stepNodes(s.steps);
}

/** Pods the scenario asks for: Pods, Deployment/ReplicaSet replicas, Job completions, arrivals (before churn and rollouts). */
export function requestedPods(s: Scenario): number {
  return (
    s.podWorkloads.reduce((n, w) => n + w.arrival.count, 0) +
    s.objects.reduce((n, o) => n + replicasOf(o), 0) +
    stepPods(s.steps, s.duration)
  );
}

/**
 * A path named in the scenario, resolved against its folder; refused if it leaves the folder (by `..`, an
 * absolute path or a symbolic link pointing outside) unless the scenario was loaded with allowOutside, so a
 * scenario from someone else's repository cannot read arbitrary files of the machine it runs on.
 */
export function resolveInside(f: Field, dir: ScenarioDir): string {
  const p = f.str();
  const full = resolve(dir.path, p);
  if (dir.allowOutside) return full;
  const hint = '; copy the file next to the scenario, or pass --allow-outside if you trust it';
  if (!isInside(dir.path, full)) f.fail(`"${p}" is outside the scenario's folder ${dir.path}${hint}`);
  // Symbolic links are followed: a link inside the folder to a file outside it is outside. A missing file is
  // left to the reader, which names it.
  const real = realPath(full);
  const realDir = realPath(dir.path);
  if (real !== null && realDir !== null && !isInside(realDir, real))
    f.fail(`"${p}" resolves (through a symbolic link) to ${real}, outside the scenario's folder ${realDir}${hint}`);
  return full;
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function realPath(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/** A count (nodes, pods) bounded by LIMITS, refused with the limit named rather than a bare range. */
function limitedCount(f: Field, what: string, min: number, max: number): number {
  const v = f.toJS();
  if (typeof v === 'number' && v > max) f.fail(overLimit(v, what, max));
  return f.int({ min, max });
}

function overLimit(n: number, what: string, max: number): string {
  const big = (x: number): string => (Number.isSafeInteger(x) ? x.toLocaleString('en-US') : String(x));
  return `${big(n)} ${what} is over kubesim's limit of ${big(max)} ${what} (see docs/reference/limits.md)`;
}

function parseNodePool(f: Field, index: number, dir: ScenarioDir): NodePool {
  f.rejectUnknownKeys(['name', 'count', 'template', 'node', 'file', 'zones', 'autoscaling', 'dra']);
  const sources = ['template', 'node', 'file'].filter((k) => f.get(k).exists);
  if (sources.length !== 1)
    f.fail(`expected exactly one of template, node or file, got ${sources.length === 0 ? 'none' : sources.join(' and ')}`);
  let template: Node;
  let namedSingle = false;
  let count = 1;
  if (f.get('file').exists) {
    const nodes = loadObjects(f.get('file'), dir).filter((o): o is Node => o.kind === 'Node');
    if (nodes.length !== 1)
      f.get('file').fail(`expected a file with exactly one Node manifest (use one pool per node shape), found ${nodes.length}`);
    template = nodes[0];
  } else if (f.get('node').exists) {
    const objs = parseManifests(f.get('node'));
    if (objs.length !== 1 || objs[0].kind !== 'Node') f.get('node').fail('expected one Node manifest');
    template = objs[0] as Node;
  } else template = parseNodeTemplate(f.get('template'));
  const name = f.get('name').exists ? f.get('name').str() : template.metadata.name !== '' ? template.metadata.name : `pool-${index}`;
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name))
    f.get('name').fail(`expected a DNS-1123 name for the pool (node names derive from it), got "${name}"`);
  if (f.get('count').exists) count = limitedCount(f.get('count'), 'nodes', 0, LIMITS.nodes);
  else namedSingle = template.metadata.name !== '';
  if (namedSingle && f.get('zones').exists) f.get('zones').fail('zones apply to pools with a count');
  const zones = f
    .get('zones')
    .items()
    .map((z) => z.str());
  const autoscaling = parsePoolAutoscaling(f.get('autoscaling'), count, namedSingle);
  // `dra:` a DRA driver publishing a ResourceSlice per node (engine/node/dra-driver.ts).
  const dra = f.get('dra').exists ? parseDraDriver(f.get('dra')) : undefined;
  return { name, count, template, namedSingle, zones, autoscaling, ...(dra === undefined ? {} : { dra }) };
}

/** `autoscaling: {min, max}`: the node group's size limits for the cluster autoscaler; `count` is its initial size. */
function parsePoolAutoscaling(f: Field, count: number, namedSingle: boolean): NodePool['autoscaling'] {
  if (!f.exists) return null;
  if (namedSingle) f.fail('a pool of one named node cannot autoscale; give the pool a count');
  f.rejectUnknownKeys(['min', 'max']);
  const min = f.get('min').optInt(0, { min: 0 });
  const max = f.get('max').int({ min: 1, max: LIMITS.nodes });
  if (max < min) f.get('max').fail(`expected max ≥ min (${min})`);
  if (count > max) f.get('max').fail(`the pool starts with count ${count} nodes, more than max ${max}`);
  return { min, max };
}

/** The short node form: allocatable resources, labels, taints. */
function parseNodeTemplate(f: Field): Node {
  f.rejectUnknownKeys(['cpu', 'memory', 'pods', 'ephemeral-storage', 'resources', 'labels', 'taints', 'unschedulable']);
  const allocatable: Record<string, number> = { ...f.get('resources').resourceList() };
  if (f.get('cpu').exists) allocatable.cpu = cpuQuantity(f.get('cpu'));
  for (const k of ['memory', 'pods', 'ephemeral-storage']) if (f.get(k).exists) allocatable[k] = countQuantity(f.get(k));
  if (allocatable.cpu === undefined) f.get('cpu').fail('expected the node\'s allocatable cpu, e.g. cpu: "8"');
  if (allocatable.memory === undefined) f.get('memory').fail("expected the node's allocatable memory, e.g. memory: 32Gi");
  // kubelet maxPods default (pkg/kubelet/apis/config/v1beta1/defaults.go)
  if (allocatable.pods === undefined) allocatable.pods = 110;
  const taints = f
    .get('taints')
    .items()
    .map((t) => {
      t.rejectUnknownKeys(['key', 'value', 'effect']);
      return {
        key: t.get('key').str(),
        value: t.get('value').optStr(''),
        effect: t.get('effect').oneOf(['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const),
      };
    });
  return {
    kind: 'Node',
    metadata: {
      name: '',
      namespace: '',
      uid: '',
      labels: f.get('labels').stringMap(),
      annotations: {},
      ownerReferences: [],
      creationTimestamp: 0,
      resourceVersion: 0,
    },
    spec: { unschedulable: f.get('unschedulable').optBool(false), taints },
    status: { capacity: allocatable, allocatable, images: [], ready: true },
  };
}

/** A cpu quantity in millicores ("500m", "2", 1.5). */
function cpuQuantity(f: Field): number {
  return quantityAt(f, cpuToMilli);
}

/** A byte or count quantity ("64Gi", "110", "50Mi"). */
function countQuantity(f: Field): number {
  return quantityAt(f, quantityValue);
}

function quantityAt(f: Field, conv: (q: string) => number): number {
  const text = f.scalarString();
  let v: number;
  try {
    v = conv(text);
  } catch (e) {
    if (e instanceof QuantityError) f.fail(e.message);
    throw e;
  }
  if (v < 0) f.fail(`expected a non-negative quantity, got "${text}"`);
  return v;
}

function loadObjects(f: Field, dir: ScenarioDir, notModeled?: NotModeled): KubeObject[] {
  const path = resolveInside(f, dir);
  return readYamlFile(path, dir.reads).flatMap((d) => parseManifests(d, notModeled));
}

/**
 * `cluster.import` (a file or a list of files) and `kubesim run --cluster`: dumps of real clusters read as the
 * starting state (importers/cluster-dump.ts). Command-line paths are the user's own, so they are not confined to the
 * scenario's folder.
 */
function parseImports(
  f: Field,
  cliPaths: readonly string[],
  dir: ScenarioDir,
  notModeled: NotModeled,
  pools: readonly NodePool[],
): ClusterDump {
  const fields = !f.exists ? [] : f.kind() === 'seq' ? f.items() : [f];
  const docs = [
    ...fields.flatMap((p) => readYamlFile(resolveInside(p, dir), dir.reads)),
    ...cliPaths.flatMap((p) => readYamlFile(resolve(p), dir.reads)),
  ];
  const known = new Set(pools.flatMap((p) => Array.from({ length: p.count }, (_, i) => poolNode(p, i).metadata.name)));
  return parseClusterDump(docs, notModeled, known);
}

function parseWorkload(f: Field, dir: ScenarioDir, objects: TimedObject[], pods: PodWorkload[], notModeled: NotModeled): void {
  f.rejectUnknownKeys(['name', 'manifest', 'file', 'kubectl', 'pod', 'at', 'arrival', 'lifetime', 'namespace']);
  const kinds = ['manifest', 'file', 'kubectl', 'pod'].filter((k) => f.get(k).exists);
  if (kinds.length !== 1)
    f.fail(`expected exactly one of manifest, file, kubectl or pod, got ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`);
  if (f.get('pod').exists) {
    pods.push(parsePodWorkload(f));
    return;
  }
  for (const k of ['arrival', 'lifetime'])
    if (f.get(k).exists)
      f.get(k).fail(`${k} applies only to a pod workload ("pod:"); Deployments and other objects are created once, at "at"`);
  const at = f.get('at').optDuration(0);
  let objs: KubeObject[];
  if (f.get('manifest').exists) objs = parseManifests(f.get('manifest'), notModeled);
  else if (f.get('file').exists) objs = loadObjects(f.get('file'), dir, notModeled);
  else objs = parseKubectl(f.get('kubectl').str(), f.get('kubectl'));
  for (const o of objs) {
    if (o.kind === 'Node' || o.kind === 'Endpoints') f.fail(`a ${o.kind} cannot be a workload; nodes belong in cluster.nodePools`);
    checkRunDuration(o, f);
    checkReapply(o, objects, f);
    objects.push({ at, object: o as TimedObject['object'] });
  }
}

/**
 * A StatefulSet or DaemonSet applied again may only change spec.replicas (a scale): kubesim does not model their
 * update strategies, so any other change would be ignored, and is refused instead.
 */
function checkReapply(o: KubeObject, earlier: readonly TimedObject[], f: Field): void {
  if (o.kind !== 'StatefulSet' && o.kind !== 'DaemonSet') return;
  const prev = earlier.find(
    (e) => e.object.kind === o.kind && e.object.metadata.namespace === o.metadata.namespace && e.object.metadata.name === o.metadata.name,
  );
  if (prev === undefined) return;
  const unscaled = (x: KubeObject): string =>
    JSON.stringify(x.kind === 'StatefulSet' ? { ...x.spec, replicas: 0 } : x.kind === 'DaemonSet' ? x.spec : null);
  if (o.kind === 'DaemonSet')
    f.fail(`DaemonSet ${o.metadata.namespace}/${o.metadata.name} is applied twice: DaemonSet updates (rolling updates) are not modeled`);
  if (unscaled(prev.object) !== unscaled(o)) {
    f.fail(
      `StatefulSet ${o.metadata.namespace}/${o.metadata.name} is applied again with changes other than spec.replicas: StatefulSet updates (rolling updates) are not modeled; only scaling is`,
    );
  }
}

function checkRunDuration(o: KubeObject, f: Field): void {
  if (o.kind !== 'Pod') return;
  const v = o.metadata.annotations[RUN_DURATION_ANNOTATION];
  if (v !== undefined && runDuration(o) === null)
    f.fail(`annotation ${RUN_DURATION_ANNOTATION} of pod ${o.metadata.name}: expected a duration such as "30s", got "${v}"`);
}

function parsePodWorkload(f: Field): PodWorkload {
  const name = f.get('name').str();
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
    f.get('name').fail(`expected a DNS-1123 label (pod names derive from it), got "${name}"`);
  const namespace = f.get('namespace').optStr('default');
  const template: PodTemplate = parsePodTemplate(f.get('pod'), namespace);
  const lifetime = f.get('lifetime').exists ? parseDistribution(f.get('lifetime')) : null;
  if (lifetime !== null && template.spec.restartPolicy === 'Always' && f.get('pod').get('spec').get('restartPolicy').exists) {
    f.get('pod')
      .get('spec')
      .get('restartPolicy')
      .fail('a pod workload with a lifetime must not use restartPolicy Always (its containers would be restarted); use Never or OnFailure');
  }
  const spec =
    lifetime !== null && template.spec.restartPolicy === 'Always' ? { ...template.spec, restartPolicy: 'Never' as const } : template.spec;
  return { name, namespace, template: { ...template, spec }, arrival: parseArrival(f.get('arrival')), lifetime };
}

function parseArrival(f: Field): Arrival {
  if (!f.exists) f.fail('expected an arrival process, e.g. {type: burst, count: 100} or {type: poisson, rate: 10, count: 1000}');
  const type = f.get('type').oneOf(['burst', 'poisson', 'constant', 'ramp', 'diurnal', 'churn'] as const);
  if (type === 'ramp' || type === 'diurnal' || type === 'churn') return parseVaryingArrival(f, type);
  f.rejectUnknownKeys(type === 'burst' ? ['type', 'count', 'at'] : ['type', 'count', 'start', 'rate']);
  const count = limitedCount(f.get('count'), 'pods', 1, LIMITS.pods);
  if (type === 'burst') return { type, count, at: f.get('at').optDuration(0) };
  const ratePerSecond = f.get('rate').num({ min: 1e-9 });
  return { type, count, start: f.get('start').optDuration(0), ratePerSecond };
}

/** The rates of a ramp or diurnal arrival, or a churn. A churn's count is filled in by parseScenario (it needs the duration). */
function parseVaryingArrival(f: Field, type: 'ramp' | 'diurnal' | 'churn'): Arrival {
  if (type === 'churn') {
    f.rejectUnknownKeys(['type', 'mode', 'number', 'interval', 'start']);
    const mode = f.get('mode').oneOf(['create', 'recreate'] as const);
    const number = f.get('number').optInt(0, { min: mode === 'recreate' ? 1 : 0, max: LIMITS.pods });
    if (mode === 'recreate' && !f.get('number').exists)
      f.get('number').fail('expected the number of pods a recreate churn creates then deletes, e.g. number: 100');
    // intervalMilliseconds defaults to 500 in scheduler_perf's churnOp.
    const interval = f.get('interval').optDuration(500_000);
    if (interval <= 0) f.get('interval').fail('expected a positive duration');
    return { type, churn: { mode, number, interval, start: f.get('start').optDuration(0) }, count: 0 };
  }
  const common = ['type', 'count', 'start', 'poisson'];
  f.rejectUnknownKeys(type === 'ramp' ? [...common, 'from', 'to', 'over'] : [...common, 'rates', 'period']);
  const count = limitedCount(f.get('count'), 'pods', 1, LIMITS.pods);
  const start = f.get('start').optDuration(0);
  const poisson = f.get('poisson').optBool(true);
  if (type === 'ramp') {
    const rate = { type, from: f.get('from').num({ min: 0 }), to: f.get('to').num({ min: 1e-9 }), over: f.get('over').duration() };
    return { type: 'varying', rate, start, count, poisson };
  }
  const period = f.get('period').optDuration(24 * 3600 * 1_000_000);
  if (period <= 0) f.get('period').fail('expected a positive duration');
  const rates = f
    .get('rates')
    .items()
    .map((r) => r.num({ min: 0 }));
  if (rates.length === 0 || rates.length > 100_000)
    f.get('rates').fail(`expected a list of 1 to 100000 rates (pods/s), one per equal slot of the period, got ${rates.length}`);
  if (!rates.some((r) => r > 0)) f.get('rates').fail('expected at least one positive rate');
  return { type: 'varying', rate: { type, period, rates }, start, count, poisson };
}

function parseRate(f: Field, def: RateLimit): RateLimit {
  const qps = f.get('qps').optNum(def.qps === Infinity ? -1 : def.qps);
  const burst = f.get('burst').optInt(def.burst === Infinity ? 1_000_000_000 : def.burst, { min: 1 });
  return qps < 0 ? { qps: Infinity, burst: Infinity } : { qps, burst };
}

function parseParameters(f: Field, images: Field): ClusterParams {
  const d = DEFAULT_PARAMS;
  f.rejectUnknownKeys([
    'apiServer',
    'scheduler',
    'controllerManager',
    'kubelet',
    'kubeProxy',
    'workloadClient',
    'defaultImageSize',
    'nodeLifecycle',
    'clusterAutoscaler',
  ]);
  const dist = (x: Field, def: Distribution): Distribution => (x.exists ? parseDistribution(x) : def);
  const a = f.get('apiServer');
  a.rejectUnknownKeys([
    'requestLatency',
    'watchDelay',
    'etcdWriteLatency',
    'defaultNotReadyTolerationSeconds',
    'defaultUnreachableTolerationSeconds',
    'maxRequestsInflight',
    'maxMutatingRequestsInflight',
    'watchCostPerEvent',
    'watchCostPerWatcher',
  ]);
  const inflight =
    a.get('maxRequestsInflight').optInt(d.apiServer.maxRequestsInflight, { min: 0 }) +
    a.get('maxMutatingRequestsInflight').optInt(d.apiServer.maxMutatingRequestsInflight, { min: 0 });
  if (inflight <= 0)
    a.fail('maxRequestsInflight and maxMutatingRequestsInflight must add up to something positive (the APF total concurrency limit)');
  const reqLat = dist(a.get('requestLatency'), d.apiServer.requestLatency.create);
  const s = f.get('scheduler');
  s.rejectUnknownKeys([
    'cycleOverhead',
    'perNodeFilter',
    'perNodeScore',
    'perPodAffinityTerm',
    'perPodSpreadConstraint',
    'perPreemptionNode',
    'podInitialBackoff',
    'podMaxBackoff',
    'podMaxInUnschedulablePodsDuration',
  ]);
  const cm = f.get('controllerManager');
  cm.rejectUnknownKeys(['qps', 'burst', 'burstReplicas', 'concurrentSyncs', 'provisioningLatency']);
  const cmClient = parseRate(cm, CONTROLLER_MANAGER_CLIENT);
  const workers = cm.get('concurrentSyncs').optInt(5, { min: 1, max: 1000 });
  const k = f.get('kubelet');
  k.rejectUnknownKeys([
    'qps',
    'burst',
    'serializeImagePulls',
    'registryPullQPS',
    'registryBurst',
    'pullLatency',
    'pullBandwidth',
    'sandboxLatency',
    'containerStartLatency',
    'plegRelistPeriod',
    'readinessDelay',
    'sigtermExitTime',
    'imageGCHighThresholdPercent',
    'imageGCLowThresholdPercent',
    'imageMinimumGCAge',
    'imageFsCapacity',
  ]);
  const gcHigh = k.get('imageGCHighThresholdPercent').optInt(DEFAULT_IMAGE_GC.highThresholdPercent, { min: 0, max: 100 });
  const gcLow = k.get('imageGCLowThresholdPercent').optInt(DEFAULT_IMAGE_GC.lowThresholdPercent, { min: 0, max: 100 });
  // kubelet validation (apis/config/validation): the low threshold must be below the high one.
  if (gcLow >= gcHigh)
    k.get(k.get('imageGCLowThresholdPercent').exists ? 'imageGCLowThresholdPercent' : 'imageGCHighThresholdPercent').fail(
      `imageGCLowThresholdPercent (${gcLow}) must be less than imageGCHighThresholdPercent (${gcHigh})`,
    );
  const imageFs = k.get('imageFsCapacity');
  const kp = f.get('kubeProxy');
  kp.rejectUnknownKeys(['minSyncPeriod', 'syncDuration']);
  const imageSizes = new Map<string, number>();
  for (const [img, size] of images.entries()) imageSizes.set(normalizeImage(img), countQuantity(size));
  const registryQps = k.get('registryPullQPS').optNum(d.kubelet.registry.qps);
  return {
    apiServer: {
      requestLatency: { create: reqLat, update: reqLat, delete: reqLat },
      watchDelay: dist(a.get('watchDelay'), d.apiServer.watchDelay),
      etcd: { writeLatency: dist(a.get('etcdWriteLatency'), d.apiServer.etcd.writeLatency) },
      flowControl: { ...DEFAULT_FLOW_CONTROL, serverConcurrencyLimit: inflight },
      watchCost: {
        perEvent: a.get('watchCostPerEvent').optDuration(d.apiServer.watchCost.perEvent),
        perWatcher: a.get('watchCostPerWatcher').optDuration(d.apiServer.watchCost.perWatcher),
      },
      defaultTolerations: {
        notReadySeconds: a.get('defaultNotReadyTolerationSeconds').optInt(DEFAULT_TOLERATION_SECONDS, { min: 0 }),
        unreachableSeconds: a.get('defaultUnreachableTolerationSeconds').optInt(DEFAULT_TOLERATION_SECONDS, { min: 0 }),
      },
    },
    scheduler: {
      cycleOverhead: s.get('cycleOverhead').optDuration(d.scheduler.cycleOverhead, true),
      perNodeFilter: s.get('perNodeFilter').optDuration(d.scheduler.perNodeFilter, true),
      perNodeScore: s.get('perNodeScore').optDuration(d.scheduler.perNodeScore, true),
      perPodAffinityTerm: s.get('perPodAffinityTerm').optDuration(d.scheduler.perPodAffinityTerm, true),
      perPodSpreadConstraint: s.get('perPodSpreadConstraint').optDuration(d.scheduler.perPodSpreadConstraint, true),
      perPreemptionNode: s.get('perPreemptionNode').optDuration(d.scheduler.perPreemptionNode, true),
      parallelism: d.scheduler.parallelism,
      podInitialBackoff: s.get('podInitialBackoff').optDuration(d.scheduler.podInitialBackoff),
      podMaxBackoff: s.get('podMaxBackoff').optDuration(d.scheduler.podMaxBackoff),
      podMaxInUnschedulablePodsDuration: s
        .get('podMaxInUnschedulablePodsDuration')
        .optDuration(d.scheduler.podMaxInUnschedulablePodsDuration),
    },
    controllerManager: {
      replicaSet: {
        client: cmClient,
        workers,
        burstReplicas: cm.get('burstReplicas').optInt(d.controllerManager.replicaSet.burstReplicas, { min: 1 }),
      },
      deployment: { client: cmClient, workers },
      endpoints: { client: cmClient, workers },
      job: { client: cmClient, workers },
      // --concurrent-daemonset-syncs is its own flag (default 2); concurrentSyncs sets the other controllers' workers.
      daemonSet: { client: cmClient, workers: d.controllerManager.daemonSet.workers },
      statefulSet: { client: cmClient, workers },
      disruption: { client: cmClient },
      cronJob: { client: cmClient, workers },
      horizontal: { client: cmClient },
      persistentVolume: {
        client: cmClient,
        provisioningLatency: dist(cm.get('provisioningLatency'), d.controllerManager.persistentVolume.provisioningLatency),
      },
      resourceClaim: { client: cmClient },
    },
    kubelet: {
      client: parseRate(k, KUBELET_CLIENT),
      serializeImagePulls: k.get('serializeImagePulls').optBool(d.kubelet.serializeImagePulls),
      // registryPullQPS 0 means no limit (kubelet config docs).
      registry:
        registryQps === 0
          ? { qps: Infinity, burst: Infinity }
          : { qps: registryQps, burst: k.get('registryBurst').optInt(d.kubelet.registry.burst, { min: 1 }) },
      pullLatency: dist(k.get('pullLatency'), d.kubelet.pullLatency),
      pullBandwidthBytesPerSecond: k.get('pullBandwidth').exists
        ? countQuantity(k.get('pullBandwidth'))
        : d.kubelet.pullBandwidthBytesPerSecond,
      sandboxLatency: dist(k.get('sandboxLatency'), d.kubelet.sandboxLatency),
      containerStartLatency: dist(k.get('containerStartLatency'), d.kubelet.containerStartLatency),
      plegRelistPeriod: k.get('plegRelistPeriod').optDuration(d.kubelet.plegRelistPeriod),
      readinessDelay: dist(k.get('readinessDelay'), d.kubelet.readinessDelay),
      sigtermExit: dist(k.get('sigtermExitTime'), DEFAULT_SIGTERM_EXIT),
      imageGc: {
        highThresholdPercent: gcHigh,
        lowThresholdPercent: gcLow,
        minAge: k.get('imageMinimumGCAge').optDuration(DEFAULT_IMAGE_GC.minAge),
      },
      ...(imageFs.exists ? { imageFsBytes: countQuantity(imageFs) } : {}),
    },
    kubeProxy: {
      minSyncPeriod: kp.get('minSyncPeriod').optDuration(d.kubeProxy.minSyncPeriod),
      syncDuration: dist(kp.get('syncDuration'), d.kubeProxy.syncDuration),
    },
    workloadClient: parseRate(f.get('workloadClient'), d.workloadClient),
    imageSizes,
    defaultImageSize: f.get('defaultImageSize').exists ? countQuantity(f.get('defaultImageSize')) : d.defaultImageSize,
    nodeLifecycle: parseNodeLifecycle(f.get('nodeLifecycle'), cmClient),
    clusterAutoscaler: parseAutoscaler(f.get('clusterAutoscaler')),
  };
}

function parsePolicies(f: Field, dir: ScenarioDir, warnings: string[]): Policy[] {
  const items = f.items();
  if (items.length === 0)
    return [{ name: 'default', profiles: DEFAULT_POLICY.profiles, client: DEFAULT_POLICY.client, source: 'upstream defaults' }];
  if (items.length > LIMITS.policies) f.fail(`at most ${LIMITS.policies} policies`);
  const names = new Set<string>();
  return items.map((p) => {
    p.rejectUnknownKeys(['name', 'config', 'file']);
    const name = p.get('name').str();
    if (!/^[A-Za-z0-9._-]+$/.test(name)) p.get('name').fail(`expected a name of letters, digits, '.', '_' or '-', got "${name}"`);
    if (names.has(name)) p.get('name').fail(`duplicate policy name "${name}"`);
    names.add(name);
    if (p.get('config').exists && p.get('file').exists) p.fail('expected one of config or file, not both');
    let cfg: Field | null = null;
    let source = 'upstream defaults';
    if (p.get('config').exists) {
      cfg = p.get('config');
      source = `${cfg.file}:${cfg.line}`;
    } else if (p.get('file').exists) {
      const path = resolveInside(p.get('file'), dir);
      const docs = readYamlFile(path, dir.reads);
      if (docs.length !== 1) p.get('file').fail(`expected one KubeSchedulerConfiguration document in ${path}, found ${docs.length}`);
      cfg = docs[0];
      source = path;
    }
    const sp = cfg === null ? DEFAULT_POLICY : parseSchedulerConfig(cfg);
    if (sp.ignoredPlugins.length > 0)
      warnings.push(`policy ${name}: enabled plugins not modeled yet (no effect on results): ${sp.ignoredPlugins.join(', ')}`);
    if (sp.notModeled.length > 0)
      warnings.push(
        `policy ${name}: KubeSchedulerConfiguration fields with no effect on a simulation (ignored): ${sp.notModeled.join(', ')}`,
      );
    for (const prof of sp.profiles) {
      const gang = gangOf(prof);
      // Upstream's behaviour, but rarely what a study wants: docs/model/gang-scheduling.md.
      if (gang !== null && gang.postFilter && gang.podGroupBackoffSeconds === 0)
        warnings.push(
          `policy ${name}: profile ${prof.schedulerName} runs Coscheduling without podGroupBackoffSeconds: a PodGroup that cannot fit is retried back to back (its pods assumed and rejected in turn) until it fits; set podGroupBackoffSeconds to space the retries`,
        );
    }
    return {
      name,
      profiles: sp.profiles,
      client: sp.client,
      source,
      gpuProfiles: sp.gpuProfiles,
      queue: sp.queue,
      featureGates: sp.featureGates,
    };
  });
}
