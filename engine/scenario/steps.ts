/**
 * The `steps:` list: scheduler_perf's workload template (kubernetes test/integration/scheduler_perf,
 * operations.go) with upstream's opcodes and field names, and `stepParams:` for its countParam/durationParam
 * ("$name") references, as one scheduler_perf workload's params. Validated here; run by
 * engine/workload/step-driver.ts. Upstream fields kubesim does not model are refused by name.
 */
import type { Node, PodTemplate } from '../api/objects.js';
import type { Micros } from '../core/time.js';
import { parseNodeTemplateManifest, parsePodTemplate } from './manifests.js';
import type { Step } from './types.js';
import type { NodePool } from '../cloud/node-pool.js';
import type { Field } from './yaml-field.js';

export const OPCODES = [
  'createNodes',
  'createPods',
  'barrier',
  'sleep',
  'deletePods',
  'churn',
  'startCollectingMetrics',
  'stopCollectingMetrics',
] as const;

/** Upstream opcodes that have no kubesim counterpart (scheduler_perf.go operationCode). */
const UNSUPPORTED_OPCODES = [
  'allocResourceClaims',
  'createAny',
  'createNamespaces',
  'createPodSets',
  'createResourceClaims',
  'createResourceDriver',
  'updateAny',
  'startCollectingProfile',
  'stopCollectingProfile',
];

/** Fields of upstream's ops that kubesim does not model, per opcode (refused with a message, not as typos). */
const UNSUPPORTED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  createNodes: ['nodeAllocatableStrategy', 'labelNodePrepareStrategy', 'uniqueNodeLabelStrategy', 'templateParams'],
  createPods: [
    'countMultiplierParam',
    'steadyStateParam',
    'persistentVolumeTemplatePath',
    'persistentVolumeClaimTemplatePath',
    'templateParams',
    'signatureBatchSize',
    'signatureBatchSizeParam',
  ],
};

const FIELDS: Readonly<Record<(typeof OPCODES)[number], readonly string[]>> = {
  createNodes: ['opcode', 'count', 'countParam', 'nodeTemplatePath', 'node', 'nodePool'],
  createPods: [
    'opcode',
    'count',
    'countParam',
    'podTemplatePath',
    'pod',
    'namespace',
    'collectMetrics',
    'skipWaitToCompletion',
    'steadyState',
    'duration',
    'durationParam',
  ],
  barrier: ['opcode', 'namespaces', 'labelSelector', 'stageRequirement'],
  sleep: ['opcode', 'duration', 'durationParam'],
  deletePods: ['opcode', 'namespace', 'labelSelector', 'skipWaitToCompletion', 'deletePodsPerSecond'],
  churn: ['opcode', 'mode', 'number', 'intervalMilliseconds', 'namespace', 'templatePaths', 'pod'],
  startCollectingMetrics: ['opcode', 'name', 'namespaces', 'labelSelector'],
  stopCollectingMetrics: ['opcode'],
};

/** makeBaseNode in scheduler_perf's util.go: the node createNodes makes without a template. */
const BASE_NODE: Node = {
  kind: 'Node',
  metadata: {
    name: '',
    namespace: '',
    uid: '',
    labels: {},
    annotations: {},
    ownerReferences: [],
    creationTimestamp: 0,
    resourceVersion: 0,
  },
  spec: { unschedulable: false, taints: [] },
  status: {
    capacity: { pods: 110, cpu: 4000, memory: 32 * 2 ** 30 },
    allocatable: { pods: 110, cpu: 4000, memory: 32 * 2 ** 30 },
    images: [],
    ready: true,
  },
};

export interface StepContext {
  /** cluster.nodePools, for createNodes' nodePool. */
  readonly pools: readonly NodePool[];
  /** The YAML documents of a file the scenario names (resolved inside its folder, charged to its read budget). */
  readonly readDocs: (path: Field) => Field[];
  /** Largest number of nodes and pods a scenario may ask for. */
  readonly limits: { readonly nodes: number; readonly pods: number };
}

/** Nodes the steps create. */
export function stepNodes(steps: readonly Step[]): number {
  return steps.reduce((n, s) => n + (s.opcode === 'createNodes' ? s.count : 0), 0);
}

/** Pods the steps create at most: createPods counts, and what a churn can create within `duration`. */
export function stepPods(steps: readonly Step[], duration: Micros): number {
  let n = 0;
  for (const s of steps) {
    if (s.opcode === 'createPods') n += s.count;
    if (s.opcode !== 'churn') continue;
    const ticks = Math.floor(duration / s.interval);
    const perTemplate = s.mode === 'create' ? (s.number > 0 ? Math.min(s.number, ticks) : ticks) : Math.ceil(ticks / 2);
    n += s.templates.length * perTemplate;
  }
  return n;
}

export function parseSteps(f: Field, params: Field, ctx: StepContext): Step[] {
  const used = new Set<string>();
  const param = (ref: Field, kind: 'number' | 'string'): Field => {
    const text = ref.str();
    if (!text.startsWith('$'))
      ref.fail(
        `expected a parameter reference such as "$${kind === 'number' ? 'initPods' : 'sleepDuration'}", got ${JSON.stringify(text)}`,
      );
    const name = text.slice(1);
    const value = params.get(name);
    if (!value.exists)
      ref.fail(
        `parameter ${JSON.stringify(name)} is not defined in stepParams${params.exists ? ` (defined: ${params.keys().join(', ')})` : ''}`,
      );
    used.add(name);
    return value;
  };
  const steps: Step[] = [];
  // Namespaces a barrier can wait on: those createPods used since the last barrier that covered them
  // (runBarrierOp refuses others as "unknown namespace"; here that is known before the run).
  const known = new Set<string>();
  const fromPool = new Map<string, number>();
  // Metrics collection windows may not overlap (runCreatePodsOp, runStartCollectingMetricsOp) and must close.
  let collecting: Field | null = null;
  const overlapping = (at: Field): never =>
    at.fail(`metrics collection is overlapping: the startCollectingMetrics at line ${collecting?.line ?? 0} is not stopped yet`);
  f.items().forEach((s, index) => {
    const opcode = opcodeOf(s);
    for (const k of UNSUPPORTED_FIELDS[opcode] ?? [])
      if (s.get(k).exists) s.get(k).fail(`${opcode}'s ${k} is not modeled by kubesim (see docs/reference/step-lists.md)`);
    s.rejectUnknownKeys(FIELDS[opcode]);
    switch (opcode) {
      case 'createNodes': {
        const count = countOf(s, param, ctx.limits.nodes, 'nodes');
        const pool = nodePoolOf(s, index, ctx);
        // A pool's nodes continue its numbering after the ones it starts with and earlier steps added.
        const first = pool.count + (fromPool.get(pool.name) ?? 0);
        fromPool.set(pool.name, first - pool.count + count);
        steps.push({ opcode, index, count, pool, first });
        break;
      }
      case 'createPods': {
        const count = countOf(s, param, ctx.limits.pods, 'pods');
        const namespace = namespaceOf(s, `namespace-${index}`);
        const collectMetrics = s.get('collectMetrics').optBool(false);
        const skipWaitToCompletion = s.get('skipWaitToCompletion').optBool(false);
        // createPodsOp.isValid: waiting is what ends the measurement.
        if (collectMetrics && skipWaitToCompletion) s.fail('collectMetrics and skipWaitToCompletion cannot be true at the same time');
        if (collectMetrics && collecting !== null) overlapping(s.get('collectMetrics'));
        const steady = s.get('steadyState').optBool(false);
        if (steady && skipWaitToCompletion) s.fail('skipWaitToCompletion and steadyState cannot be true at the same time');
        const timed = ['duration', 'durationParam'].filter((k) => s.get(k).exists);
        if (!steady && timed.length > 0) s.get(timed[0]).fail('a duration applies to steadyState: true');
        let steadyState: { duration: Micros } | null = null;
        if (steady) {
          const duration = durationOf(s, param);
          if (duration <= 0) s.fail('when creating pods in a steady state, the duration must be > 0');
          steadyState = { duration };
        }
        known.add(namespace);
        steps.push({
          opcode,
          index,
          count,
          namespace,
          template: podTemplateOf(s, namespace, ctx, 'podTemplatePath'),
          collectMetrics,
          skipWaitToCompletion,
          steadyState,
        });
        break;
      }
      case 'barrier': {
        const nsField = s.get('namespaces');
        const namespaces = nsField.items().map((n) => {
          const ns = n.str();
          if (!known.has(ns))
            n.fail(
              `unknown namespace ${JSON.stringify(ns)}: no createPods step before this barrier uses it${known.size > 0 ? ` (known: ${[...known].join(', ')})` : ''}`,
            );
          return ns;
        });
        const stageRequirement = s.get('stageRequirement').optOneOf(['Scheduled', 'Attempted'] as const, 'Scheduled');
        // runBarrierOp forgets the namespaces a Scheduled barrier waited for.
        if (stageRequirement === 'Scheduled') {
          if (namespaces.length === 0) known.clear();
          else for (const ns of namespaces) known.delete(ns);
        }
        steps.push({ opcode, index, namespaces, labelSelector: s.get('labelSelector').stringMap(), stageRequirement });
        break;
      }
      case 'sleep':
        steps.push({ opcode, index, duration: durationOf(s, param) });
        break;
      case 'deletePods': {
        const namespace = s.get('namespace').exists ? namespaceOf(s, '') : '';
        const deletePodsPerSecond = s.get('deletePodsPerSecond').optInt(0, { min: 0 });
        steps.push({
          opcode,
          index,
          namespace,
          labelSelector: s.get('labelSelector').stringMap(),
          skipWaitToCompletion: s.get('skipWaitToCompletion').optBool(false),
          deletePodsPerSecond,
        });
        break;
      }
      case 'startCollectingMetrics': {
        if (collecting !== null) overlapping(s);
        const nsField = s.get('namespaces');
        const namespaces = nsField.items().map((n) => n.str());
        if (namespaces.length === 0) nsField.fail('expected the namespaces whose pods are measured (namespaces cannot be empty)');
        collecting = s;
        steps.push({ opcode, index, name: s.get('name').optStr(''), namespaces, labelSelector: s.get('labelSelector').stringMap() });
        break;
      }
      case 'stopCollectingMetrics':
        if (collecting === null) s.fail('missing startCollectingMetrics operation before stopping');
        collecting = null;
        steps.push({ opcode, index });
        break;
      case 'churn': {
        const mode = s.get('mode').oneOf(['create', 'recreate'] as const);
        const number = s.get('number').optInt(0, { min: 0, max: ctx.limits.pods });
        // churnOp.isValid: a recreate cycle needs a size.
        if (mode === 'recreate' && number === 0) s.get('number').fail('expected a positive number of objects per cycle for mode recreate');
        // runChurnOp: intervalMilliseconds 0 (unset) means 500.
        const ms = s.get('intervalMilliseconds').optInt(0, { min: 0, max: 86_400_000 });
        const interval = (ms === 0 ? 500 : ms) * 1000;
        const namespace = namespaceOf(s, `namespace-${index}`);
        const templates = churnTemplates(s, namespace, ctx);
        steps.push({ opcode, index, mode, number, interval, namespace, templates });
        break;
      }
    }
  });
  if (collecting !== null) (collecting as Field).fail('startCollectingMetrics without a stopCollectingMetrics after it');
  for (const name of params.keys())
    if (!used.has(name)) params.get(name).fail(`parameter ${JSON.stringify(name)} is defined but no step uses it`);
  return steps;
}

function opcodeOf(s: Field): (typeof OPCODES)[number] {
  const f = s.get('opcode');
  if (!f.exists) s.fail(`expected an opcode (${OPCODES.join(', ')})`);
  const name = f.str();
  if (UNSUPPORTED_OPCODES.includes(name)) f.fail(`opcode ${name} is not modeled by kubesim; supported: ${OPCODES.join(', ')}`);
  return f.oneOf(OPCODES);
}

/** count or countParam (createNodesOp/createPodsOp); upstream allows 0, a step that does nothing is refused here. */
function countOf(s: Field, param: (ref: Field, kind: 'number') => Field, max: number, what: string): number {
  if (s.get('count').exists === s.get('countParam').exists) s.fail('expected exactly one of count or countParam');
  const f = s.get('count').exists ? s.get('count') : param(s.get('countParam'), 'number');
  const v = f.toJS();
  if (typeof v === 'number' && v > max) f.fail(`${v} ${what} is over kubesim's limit of ${max} ${what}`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return f.fail(`expected a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

/** duration or durationParam (sleepOp, createPodsOp): a Go duration such as "30s". */
function durationOf(s: Field, param: (ref: Field, kind: 'string') => Field): Micros {
  if (s.get('duration').exists === s.get('durationParam').exists) s.fail('expected exactly one of duration or durationParam');
  return (s.get('duration').exists ? s.get('duration') : param(s.get('durationParam'), 'string')).duration();
}

function namespaceOf(s: Field, def: string): string {
  const f = s.get('namespace');
  const ns = f.optStr(def);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63)
    f.fail(`expected a namespace name (a DNS-1123 label), got ${JSON.stringify(ns)}`);
  return ns;
}

/** The nodes' template as a pool: a pool of cluster.nodePools, a Node manifest (file or inline), or makeBaseNode. */
function nodePoolOf(s: Field, index: number, ctx: StepContext): NodePool {
  const given = ['nodeTemplatePath', 'node', 'nodePool'].filter((k) => s.get(k).exists);
  if (given.length > 1) s.fail(`expected at most one of nodeTemplatePath, node or nodePool, got ${given.join(' and ')}`);
  if (s.get('nodePool').exists) {
    const f = s.get('nodePool');
    const name = f.str();
    const pool = ctx.pools.find((p) => p.name === name);
    if (pool === undefined)
      return f.fail(
        `no node pool named ${JSON.stringify(name)} in cluster.nodePools${ctx.pools.length > 0 ? ` (pools: ${ctx.pools.map((p) => p.name).join(', ')})` : ''}`,
      );
    if (pool.autoscaling !== null)
      f.fail(`pool ${name} is autoscaled: the cluster autoscaler names its nodes; createNodes takes a fixed pool`);
    if (pool.namedSingle) f.fail(`pool ${name} is a single named node; createNodes needs a pool with a count`);
    return pool;
  }
  let template = BASE_NODE;
  if (s.get('node').exists) template = parseNodeTemplateManifest(s.get('node'));
  else if (s.get('nodeTemplatePath').exists) {
    const docs = ctx.readDocs(s.get('nodeTemplatePath'));
    if (docs.length !== 1) s.get('nodeTemplatePath').fail(`expected a file with one Node manifest, found ${docs.length} documents`);
    template = parseNodeTemplateManifest(docs[0]);
  }
  // Upstream names them from generateName "node-<opIndex>-" (getNodePreparer); here with an index, not a random suffix.
  if (ctx.pools.some((p) => p.name === `node-${index}`))
    s.fail(`the nodes of this step are named node-${index}-<i>, as those of the node pool node-${index}; rename the pool`);
  return {
    name: `node-${index}`,
    count: 0,
    template: { ...template, metadata: { ...template.metadata, name: '' } },
    namedSingle: false,
    zones: [],
    autoscaling: null,
  };
}

/** A Pod manifest from a file (`pathKey`) or inline (`pod`), as the pods' template. */
function podTemplateOf(s: Field, namespace: string, ctx: StepContext, pathKey: string): PodTemplate {
  const given = [pathKey, 'pod'].filter((k) => s.get(k).exists);
  if (given.length !== 1) s.fail(`expected exactly one of ${pathKey} or pod${given.length > 1 ? `, got both` : ''}`);
  if (s.get('pod').exists) return parsePodTemplate(s.get('pod'), namespace);
  const docs = ctx.readDocs(s.get(pathKey));
  if (docs.length !== 1) s.get(pathKey).fail(`expected a file with one Pod manifest, found ${docs.length} documents`);
  return podManifest(docs[0], namespace);
}

function podManifest(f: Field, namespace: string): PodTemplate {
  if (f.kind() !== 'map') f.fail(`expected a Pod manifest, got ${f.describe()}`);
  const kind = f.get('kind');
  if (kind.exists && kind.str() !== 'Pod')
    kind.fail(`expected kind Pod (kubesim churns and creates pods only), got ${JSON.stringify(kind.str())}`);
  return parsePodTemplate(f, namespace);
}

function churnTemplates(s: Field, namespace: string, ctx: StepContext): PodTemplate[] {
  const paths = s.get('templatePaths');
  if (paths.exists === s.get('pod').exists) s.fail('expected exactly one of templatePaths or pod');
  if (s.get('pod').exists) return [parsePodTemplate(s.get('pod'), namespace)];
  const items = paths.items();
  // churnOp.isValid: at least one template.
  if (items.length === 0) paths.fail('expected at least one template file');
  return items.map((p) => {
    const docs = ctx.readDocs(p);
    if (docs.length !== 1) p.fail(`expected a file with one Pod manifest, found ${docs.length} documents`);
    return podManifest(docs[0], namespace);
  });
}
