/**
 * KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1), as a user would paste it, → scheduling
 * profiles. Plugin sets are resolved as upstream does (pkg/scheduler/apis/config/v1/default_plugins.go
 * mergePlugins): the default multiPoint set, then the user's multiPoint enabled/disabled, then each extension
 * point's enabled/disabled ("*" disables every default plugin of that point); a score plugin without a weight
 * gets its multiPoint weight, else 1.
 *
 * Plugins kubesim does not model are accepted and reported as ignored, so real configurations load.
 */
import type { NodeAffinity } from '../api/objects.js';
import { MICROS_PER_SECOND } from '../core/time.js';
import { DEFAULT_PARALLELISM } from '../scheduler/cycle-cost.js';
import { DEFAULT_FEATURE_GATES, type FeatureGates, type SchedulerQueueSettings } from '../scheduler/scheduler-settings.js';
import type { RateLimit } from '../api/rate-limiter.js';
import { SCHEDULER_CLIENT } from './defaults.js';
import { parseNodeAffinity } from './manifests.js';
import { isQualifiedName } from '../api/validation.js';
import type { Field } from './yaml-field.js';
import {
  DEFAULT_SCORING_STRATEGY,
  NAME as FIT,
  type ResourceSpec,
  type ScoringStrategyType,
  type ShapePoint,
} from '../scheduler/plugins/node-resources-fit.js';
import { NAME as BALANCED } from '../scheduler/plugins/node-resources-balanced-allocation.js';
import { NAME as UNSCHEDULABLE } from '../scheduler/plugins/node-unschedulable.js';
import { NAME as TAINTS } from '../scheduler/plugins/taint-toleration.js';
import { NAME as AFFINITY } from '../scheduler/plugins/node-affinity.js';
import { NAME as PORTS } from '../scheduler/plugins/node-ports.js';
import { NAME as IMAGES } from '../scheduler/plugins/image-locality.js';
import { NAME as SPREAD, SYSTEM_DEFAULTS, type SpreadDefaults } from '../scheduler/plugins/pod-topology-spread.js';
import { NAME as INTERPOD, DEFAULT_HARD_POD_AFFINITY_WEIGHT } from '../scheduler/plugins/inter-pod-affinity.js';
import { NAME as PREEMPTION, DEFAULT_PREEMPTION_ARGS, type PreemptionArgs } from '../scheduler/plugins/default-preemption.js';
import type { TopologySpreadConstraint } from '../api/objects.js';
import { FIRST_FIT, ROUND_ROBIN, UNIFORM_RANDOM } from '../scheduler/plugins/placement-policies.js';
import {
  NAME as COSCHEDULING,
  DEFAULT_COSCHEDULING_ARGS,
  type CoschedulingArgs,
  type GangProfile,
} from '../scheduler/plugins/coscheduling.js';
import { userPlugin, type UserPluginUse } from '../scheduler/user-plugins.js';
import { DEFAULT_PROFILE, type Profile } from '../scheduler/profile.js';
import {
  GPU_PLUGIN_POINTS,
  GPU_SCORE_PLUGINS,
  OPEN_GPU_SHARE,
  isGpuPlugin,
  parseGpuPluginArgs,
  type GpuProfile,
  type GpuSelMethod,
} from '../scheduler/plugins/gpu-plugins.js';

type Point =
  | 'preEnqueue'
  | 'queueSort'
  | 'preFilter'
  | 'filter'
  | 'postFilter'
  | 'preScore'
  | 'score'
  | 'reserve'
  | 'permit'
  | 'preBind'
  | 'bind'
  | 'postBind';

const POINTS: readonly Point[] = [
  'preEnqueue',
  'queueSort',
  'preFilter',
  'filter',
  'postFilter',
  'preScore',
  'score',
  'reserve',
  'permit',
  'preBind',
  'bind',
  'postBind',
];

/** In-tree plugins and the extension points each implements (docs/reference/scheduler-config.md). */
const PLUGIN_POINTS: Readonly<Record<string, readonly Point[]>> = {
  SchedulingGates: ['preEnqueue'],
  PrioritySort: ['queueSort'],
  NodeUnschedulable: ['filter'],
  NodeName: ['filter'],
  TaintToleration: ['filter', 'preScore', 'score'],
  NodeAffinity: ['preFilter', 'filter', 'preScore', 'score'],
  NodePorts: ['preFilter', 'filter'],
  NodeResourcesFit: ['preFilter', 'filter', 'preScore', 'score'],
  VolumeRestrictions: ['preFilter', 'filter'],
  NodeVolumeLimits: ['preFilter', 'filter'],
  VolumeBinding: ['preFilter', 'filter', 'reserve', 'preBind', 'score'],
  VolumeZone: ['preFilter', 'filter'],
  PodTopologySpread: ['preFilter', 'filter', 'preScore', 'score'],
  InterPodAffinity: ['preFilter', 'filter', 'preScore', 'score'],
  DynamicResources: ['preEnqueue', 'preFilter', 'filter', 'postFilter', 'reserve', 'preBind'],
  DefaultPreemption: ['postFilter'],
  NodeResourcesBalancedAllocation: ['preScore', 'score'],
  ImageLocality: ['score'],
  DefaultBinder: ['bind'],
  // GPU-sharing plugins of the FGD study's scheduler, run by the kernel's GPU block (scheduler/plugins/gpu-plugins.ts).
  ...GPU_PLUGIN_POINTS,
  // Placement policies beyond upstream (scheduler/plugins/placement-policies.ts); not in the default set.
  [FIRST_FIT]: ['score'],
  [ROUND_ROBIN]: ['score'],
  [UNIFORM_RANDOM]: ['score'],
  // scheduler-plugins' Coscheduling (gang scheduling; scheduler/plugins/coscheduling.ts); not in the default set.
  [COSCHEDULING]: ['queueSort', 'preFilter', 'postFilter', 'permit', 'reserve'],
};

/** default_plugins.go getDefaultPlugins: multiPoint order and score weights (v1.36). */
const DEFAULT_MULTIPOINT: readonly { name: string; weight: number }[] = [
  { name: 'SchedulingGates', weight: 0 },
  { name: 'PrioritySort', weight: 0 },
  { name: 'NodeUnschedulable', weight: 0 },
  { name: 'NodeName', weight: 0 },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts', weight: 0 },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'VolumeRestrictions', weight: 0 },
  { name: 'NodeVolumeLimits', weight: 0 },
  { name: 'VolumeBinding', weight: 0 },
  { name: 'VolumeZone', weight: 0 },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DynamicResources', weight: 0 },
  { name: 'DefaultPreemption', weight: 0 },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultBinder', weight: 0 },
];

/**
 * Largest score weight: upstream refuses only weights whose total could overflow int64
 * (framework/runtime/framework.go: weight × MaxNodeScore ≤ MaxTotalScore); kubesim keeps totals exact in float64.
 * The FGD study's configurations use weight 1000.
 */
const MAX_SCORE_WEIGHT = Math.floor(Number.MAX_SAFE_INTEGER / 100 / 1000);

/** Plugins whose behaviour the simulator reproduces; the rest are accepted and reported as ignored. */
const MODELED = new Set<string>([
  UNSCHEDULABLE,
  TAINTS,
  AFFINITY,
  PORTS,
  FIT,
  BALANCED,
  IMAGES,
  SPREAD,
  INTERPOD,
  PREEMPTION,
  'PrioritySort',
  'DefaultBinder',
  'NodeName',
  'SchedulingGates',
  'VolumeRestrictions',
  'VolumeBinding',
  'VolumeZone',
  'NodeVolumeLimits',
  FIRST_FIT,
  ROUND_ROBIN,
  UNIFORM_RANDOM,
  COSCHEDULING,
]);
/** Always-pass for the objects kubesim models: DynamicResources needs ResourceClaims (refused). */
const TRIVIAL = new Set<string>(['DynamicResources']);

export interface SchedulerPolicy {
  readonly profiles: readonly Profile[];
  readonly client: RateLimit;
  readonly queue: SchedulerQueueSettings;
  readonly featureGates: FeatureGates;
  /** Accepted fields that cannot affect a simulation (bind addresses, profiling…), for one warning each. */
  readonly notModeled: readonly string[];
  /** Enabled plugins whose behaviour is not modeled (their effect is missing from results). */
  readonly ignoredPlugins: readonly string[];
  /** Per profile (same order): its GPU plugins, for the GPU replay driver (engine/gpu). */
  readonly gpuProfiles: readonly GpuProfile[];
}

export const DEFAULT_POLICY: SchedulerPolicy = {
  profiles: [DEFAULT_PROFILE],
  client: SCHEDULER_CLIENT,
  queue: { parallelism: DEFAULT_PARALLELISM },
  featureGates: DEFAULT_FEATURE_GATES,
  notModeled: [],
  ignoredPlugins: DEFAULT_MULTIPOINT.map((d) => d.name)
    .filter((n) => !MODELED.has(n) && !TRIVIAL.has(n))
    .sort(),
  gpuProfiles: [],
};

export function parseSchedulerConfig(f: Field): SchedulerPolicy {
  const apiVersion = f.get('apiVersion').str();
  if (apiVersion !== 'kubescheduler.config.k8s.io/v1')
    f.get('apiVersion').fail(`expected "kubescheduler.config.k8s.io/v1", got "${apiVersion}"`);
  const kind = f.get('kind').str();
  if (kind !== 'KubeSchedulerConfiguration') f.get('kind').fail(`expected "KubeSchedulerConfiguration", got "${kind}"`);
  f.rejectUnknownKeys([
    'apiVersion',
    'kind',
    'parallelism',
    'percentageOfNodesToScore',
    'podInitialBackoffSeconds',
    'podMaxBackoffSeconds',
    'clientConnection',
    'leaderElection',
    'profiles',
    'extenders',
    'delayCacheUntilActive',
    'featureGates',
    'healthzBindAddress',
    'metricsBindAddress',
    'enableProfiling',
    'enableContentionProfiling',
  ]);
  const globalPct = f.get('percentageOfNodesToScore').optInt(0, { min: 0, max: 100 });
  const notModeled: string[] = [];
  const queue = parseQueueSettings(f);
  const featureGates = parseFeatureGates(f.get('featureGates'));
  parseNotModeled(f, notModeled);
  const cc = f.get('clientConnection');
  // ClientConnectionConfiguration (component-base/config/v1alpha1): only the rate limit shapes a simulation.
  cc.rejectUnknownKeys(['kubeconfig', 'acceptContentTypes', 'contentType', 'qps', 'burst']);
  for (const k of ['kubeconfig', 'acceptContentTypes', 'contentType']) if (cc.get(k).exists) notModeled.push(`clientConnection.${k}`);
  const client: RateLimit = {
    qps: cc.get('qps').optNum(SCHEDULER_CLIENT.qps),
    burst: cc.get('burst').optInt(SCHEDULER_CLIENT.burst, { min: 0 }),
  };
  if (f.get('extenders').items().length > 0) f.get('extenders').fail('scheduler extenders are not supported by kubesim');
  const ignored = new Set<string>();
  const profileFields = f.get('profiles').items();
  const profiles: Profile[] = [];
  const gpuProfiles: GpuProfile[] = [];
  const names = new Set<string>();
  if (profileFields.length === 0) profiles.push({ ...DEFAULT_PROFILE, percentageOfNodesToScore: globalPct });
  for (const pf of profileFields) {
    const p = parseProfile(pf, globalPct, ignored, gpuProfiles);
    if (names.has(p.schedulerName)) pf.get('schedulerName').fail(`duplicate schedulerName "${p.schedulerName}"`);
    names.add(p.schedulerName);
    // validateCommonQueueSort (apis/config/validation/validation.go): one scheduling queue serves every profile,
    // so all profiles must sort it alike.
    if (profiles.length > 0 && (profiles[0].gang === null) !== (p.gang === null))
      pf.get('plugins').fail('queueSort must be the same for all profiles (Coscheduling in one profile and not in another)');
    if (profiles.length > 0 && p.gang !== null && profiles[0].gang !== null && !sameGangArgs(profiles[0].gang, p.gang))
      pf.get('pluginConfig').fail('Coscheduling args must be the same for all profiles (its queueSort is shared)');
    profiles.push(p);
  }
  if (profileFields.length === 0) for (const n of DEFAULT_POLICY.ignoredPlugins) ignored.add(n);
  return {
    profiles,
    client: { qps: client.qps < 0 ? Infinity : client.qps, burst: client.burst },
    queue,
    featureGates,
    notModeled,
    ignoredPlugins: [...ignored].sort(),
    gpuProfiles,
  };
}

/**
 * podInitialBackoffSeconds, podMaxBackoffSeconds and parallelism, validated as upstream
 * (apis/config/validation/validation.go ValidateKubeSchedulerConfiguration).
 */
function parseQueueSettings(f: Field): SchedulerQueueSettings {
  const par = f.get('parallelism');
  const parallelism = par.exists ? par.int() : DEFAULT_PARALLELISM;
  if (parallelism <= 0) par.fail(`should be an integer value greater than zero, got ${parallelism}`);
  const ini = f.get('podInitialBackoffSeconds');
  const max = f.get('podMaxBackoffSeconds');
  // SetDefaults_KubeSchedulerConfiguration: 1 and 10 seconds.
  const initial = ini.exists ? ini.int() : 1;
  if (initial <= 0) ini.fail(`must be greater than 0, got ${initial}`);
  const maximum = max.exists ? max.int() : 10;
  if (maximum < initial)
    (max.exists ? max : ini).fail(
      `podMaxBackoffSeconds (${maximum}) must be greater than or equal to podInitialBackoffSeconds (${initial})`,
    );
  return {
    parallelism,
    ...(ini.exists ? { podInitialBackoff: initial * MICROS_PER_SECOND } : {}),
    ...(max.exists ? { podMaxBackoff: maximum * MICROS_PER_SECOND } : {}),
  };
}

/** featureGates: a map of gate → bool; only the gates that change what kubesim models are accepted. */
function parseFeatureGates(f: Field): FeatureGates {
  if (!f.exists || f.kind() === 'null') return DEFAULT_FEATURE_GATES;
  const supported = Object.keys(DEFAULT_FEATURE_GATES);
  let { SchedulerQueueingHints, PodLevelResources } = DEFAULT_FEATURE_GATES;
  for (const [name, v] of f.entries()) {
    if (name === 'SchedulerQueueingHints') SchedulerQueueingHints = v.bool();
    else if (name === 'PodLevelResources') PodLevelResources = v.bool();
    else v.fail(`unsupported feature gate "${name}"; kubesim models ${supported.join(', ')}`);
  }
  return { SchedulerQueueingHints, PodLevelResources };
}

/**
 * Fields of a running kube-scheduler process that cannot change a simulation of one scheduler instance: warned
 * about once. healthzBindAddress/metricsBindAddress are deprecated in v1 and, as upstream validates, must be
 * empty or use port 0.
 */
function parseNotModeled(f: Field, out: string[]): void {
  for (const k of ['healthzBindAddress', 'metricsBindAddress']) {
    const a = f.get(k);
    if (!a.exists || a.kind() === 'null') continue;
    const v = a.str();
    if (v !== '' && !/:0$/.test(v) && v !== '0')
      a.fail(`must be empty or use port 0 (deprecated in kubescheduler.config.k8s.io/v1), got "${v}"`);
    out.push(k);
  }
  for (const k of ['enableProfiling', 'enableContentionProfiling', 'delayCacheUntilActive']) {
    if (f.get(k).exists) {
      f.get(k).bool();
      out.push(k);
    }
  }
  const le = f.get('leaderElection');
  if (le.exists) {
    // LeaderElectionConfiguration (component-base/config/v1alpha1): one simulated scheduler is always the leader.
    le.rejectUnknownKeys([
      'leaderElect',
      'leaseDuration',
      'renewDeadline',
      'retryPeriod',
      'resourceLock',
      'resourceName',
      'resourceNamespace',
    ]);
    out.push('leaderElection');
  }
}

interface Enabled {
  name: string;
  weight: number;
}

function parseProfile(pf: Field, globalPct: number, ignored: Set<string>, gpuProfiles: GpuProfile[]): Profile {
  pf.rejectUnknownKeys(['schedulerName', 'percentageOfNodesToScore', 'plugins', 'pluginConfig']);
  const schedulerName = pf.get('schedulerName').optStr('default-scheduler');
  const pctField = pf.get('percentageOfNodesToScore');
  const pct = pctField.exists ? pctField.int({ min: 0, max: 100 }) : globalPct;

  // Resolve which plugins run at which point.
  const at = new Map<Point, Enabled[]>(POINTS.map((p) => [p, []]));
  const multiWeight = new Map<string, number>();
  for (const d of DEFAULT_MULTIPOINT) {
    multiWeight.set(d.name, d.weight);
    for (const p of PLUGIN_POINTS[d.name]) (at.get(p) as Enabled[]).push({ name: d.name, weight: 0 });
  }
  const plugins = pf.get('plugins');
  plugins.rejectUnknownKeys(['multiPoint', ...POINTS]);
  const mp = plugins.get('multiPoint');
  mp.rejectUnknownKeys(['enabled', 'disabled']);
  for (const d of mp.get('disabled').items()) {
    const name = pluginName(d);
    for (const p of POINTS) at.set(p, name === '*' ? [] : (at.get(p) as Enabled[]).filter((e) => e.name !== name));
  }
  for (const e of mp.get('enabled').items()) {
    const name = pluginName(e, false);
    e.rejectUnknownKeys(['name', 'weight']);
    const w = e.get('weight').optInt(0, { min: 0, max: MAX_SCORE_WEIGHT });
    if (w > 0) multiWeight.set(name, w);
    for (const p of pointsOf(name)) {
      const list = at.get(p) as Enabled[];
      if (!list.some((x) => x.name === name)) list.push({ name, weight: 0 });
    }
  }
  for (const point of POINTS) {
    const pt = plugins.get(point);
    pt.rejectUnknownKeys(['enabled', 'disabled']);
    for (const d of pt.get('disabled').items()) {
      const name = pluginName(d);
      at.set(point, name === '*' ? [] : (at.get(point) as Enabled[]).filter((e) => e.name !== name));
    }
    for (const e of pt.get('enabled').items()) {
      const name = pluginName(e, false);
      e.rejectUnknownKeys(['name', 'weight']);
      if (!pointsOf(name).includes(point)) e.get('name').fail(`plugin ${name} does not implement the ${point} extension point`);
      const w = e.get('weight').optInt(0, { min: 0, max: MAX_SCORE_WEIGHT });
      const list = (at.get(point) as Enabled[]).filter((x) => x.name !== name);
      list.push({ name, weight: w });
      at.set(point, list);
    }
  }
  const filters = new Set((at.get('filter') as Enabled[]).map((e) => e.name));
  const preFilters = new Set((at.get('preFilter') as Enabled[]).map((e) => e.name));
  const scoreWeight = (name: string): number => {
    const e = (at.get('score') as Enabled[]).find((x) => x.name === name);
    if (e === undefined) return 0;
    return e.weight > 0 ? e.weight : multiWeight.get(name) || 1;
  };
  for (const point of POINTS) {
    for (const e of at.get(point) as Enabled[])
      if (!MODELED.has(e.name) && !TRIVIAL.has(e.name) && !isGpuPlugin(e.name) && userPlugin(e.name) === undefined) ignored.add(e.name);
  }

  // pluginConfig args.
  let spreadDefaults: SpreadDefaults = SYSTEM_DEFAULTS;
  let hardPodAffinityWeight = DEFAULT_HARD_POD_AFFINITY_WEIGHT;
  let ignorePreferredTermsOfExistingPods = false;
  let preemptionArgs: PreemptionArgs = DEFAULT_PREEMPTION_ARGS;
  let fitArgs: FitArgs = { strategy: DEFAULT_SCORING_STRATEGY, ignoredResources: [], ignoredResourceGroups: [] };
  let balancedResources = DEFAULT_PROFILE.balancedResources;
  let addedAffinity: NodeAffinity | undefined;
  let gpuSelMethod: GpuSelMethod | null = null;
  let coschedulingArgs: CoschedulingArgs = DEFAULT_COSCHEDULING_ARGS;
  const seen = new Set<string>();
  for (const pc of pf.get('pluginConfig').items()) {
    pc.rejectUnknownKeys(['name', 'args']);
    const name = pluginName(pc, false);
    if (seen.has(name)) pc.get('name').fail(`duplicate pluginConfig for ${name}`);
    seen.add(name);
    const args = pc.get('args');
    if (name === FIT) fitArgs = parseFitArgs(args);
    else if (name === BALANCED) {
      args.rejectUnknownKeys(['apiVersion', 'kind', 'resources']);
      if (args.get('resources').exists) balancedResources = parseResources(args.get('resources'));
    } else if (name === AFFINITY) {
      // NodeAffinityArgs (apis/config/v1/types_pluginargs.go).
      args.rejectUnknownKeys(['apiVersion', 'kind', 'addedAffinity']);
      const aa = args.get('addedAffinity');
      if (aa.kind() !== 'missing' && aa.kind() !== 'null') addedAffinity = parseNodeAffinity(aa);
    } else if (name === SPREAD) {
      spreadDefaults = parseSpreadArgs(args);
    } else if (name === INTERPOD) {
      // InterPodAffinityArgs (apis/config/v1/types_pluginargs.go; validation_pluginargs.go ValidateInterPodAffinityArgs).
      args.rejectUnknownKeys(['apiVersion', 'kind', 'hardPodAffinityWeight', 'ignorePreferredTermsOfExistingPods']);
      hardPodAffinityWeight = args.get('hardPodAffinityWeight').optInt(DEFAULT_HARD_POD_AFFINITY_WEIGHT, { min: 0, max: 100 });
      ignorePreferredTermsOfExistingPods = args.get('ignorePreferredTermsOfExistingPods').optBool(false);
    } else if (name === PREEMPTION) {
      preemptionArgs = parsePreemptionArgs(args);
    } else if (name === COSCHEDULING) {
      coschedulingArgs = parseCoschedulingArgs(args);
    } else if (isGpuPlugin(name)) {
      const sel = parseGpuPluginArgs(name, args);
      if (sel !== null) gpuSelMethod = sel;
    } else if (
      name === TAINTS ||
      name === PORTS ||
      name === IMAGES ||
      name === FIRST_FIT ||
      name === ROUND_ROBIN ||
      name === UNIFORM_RANDOM
    ) {
      // These plugins take no arguments.
      args.rejectUnknownKeys(['apiVersion', 'kind']);
    }
  }
  const gang = gangOf(pf.get('plugins'), at, coschedulingArgs);
  const scoreNames = (at.get('score') as Enabled[]).map((e) => e.name);
  const gpu: GpuProfile = {
    schedulerName,
    percentageOfNodesToScore: pct,
    gpuFilter: filters.has(OPEN_GPU_SHARE),
    fitFilter: filters.has(FIT),
    scores: GPU_SCORE_PLUGINS.filter((n) => scoreNames.includes(n)).map((name) => ({ name, weight: scoreWeight(name) })),
    otherScores: scoreNames.filter((n) => !isGpuPlugin(n)),
    gpuSelMethod,
  };
  gpuProfiles.push(gpu);
  return {
    schedulerName,
    percentageOfNodesToScore: pct,
    filters: {
      nodeUnschedulable: filters.has(UNSCHEDULABLE),
      taintToleration: filters.has(TAINTS),
      nodeAffinity: filters.has(AFFINITY),
      nodePorts: filters.has(PORTS),
      nodeResourcesFit: filters.has(FIT),
      podTopologySpread: filters.has(SPREAD),
      interPodAffinity: filters.has(INTERPOD),
      volumeRestrictions: filters.has('VolumeRestrictions'),
      volumeBinding: filters.has('VolumeBinding'),
      volumeZone: filters.has('VolumeZone'),
      nodeVolumeLimits: filters.has('NodeVolumeLimits'),
    },
    nodeAffinityPreFilter: preFilters.has(AFFINITY),
    fitWeight: scoreWeight(FIT),
    fitStrategy: fitArgs.strategy,
    fitIgnoredResources: fitArgs.ignoredResources,
    fitIgnoredResourceGroups: fitArgs.ignoredResourceGroups,
    balancedWeight: scoreWeight(BALANCED),
    balancedResources,
    taintWeight: scoreWeight(TAINTS),
    affinityWeight: scoreWeight(AFFINITY),
    imageWeight: scoreWeight(IMAGES),
    addedAffinity,
    spreadWeight: scoreWeight(SPREAD),
    spreadDefaults,
    interPodAffinityWeight: scoreWeight(INTERPOD),
    hardPodAffinityWeight,
    ignorePreferredTermsOfExistingPods,
    preemption: (at.get('postFilter') as Enabled[]).some((e) => e.name === PREEMPTION) ? preemptionArgs : null,
    firstFitWeight: scoreWeight(FIRST_FIT),
    roundRobinWeight: scoreWeight(ROUND_ROBIN),
    uniformRandomWeight: scoreWeight(UNIFORM_RANDOM),
    userPlugins: userPluginUses(at.get('filter') as Enabled[], at.get('score') as Enabled[], scoreWeight),
    // A plain key (not a conditional spread), so every Profile has DEFAULT_PROFILE's shape (monomorphic kernel).
    gpu: gpu.gpuFilter || gpu.scores.length > 0 ? gpu : undefined,
    gang,
  };
}

/**
 * Coscheduling's place in the profile. The scheduling framework runs exactly one QueueSort plugin
 * (framework/runtime/framework.go NewFramework); the plugin's README requires queueSort, permit and reserve
 * (Unreserve) together, and its PreFilter and PostFilter are optional. A partial setup is refused.
 */
function gangOf(plugins: Field, at: ReadonlyMap<Point, readonly Enabled[]>, args: CoschedulingArgs): GangProfile | null {
  const has = (point: Point): boolean => (at.get(point) ?? []).some((e) => e.name === COSCHEDULING);
  const sorts = (at.get('queueSort') ?? []).map((e) => e.name);
  if (sorts.length !== 1)
    plugins.fail(`exactly one queueSort plugin must be enabled, got ${sorts.length === 0 ? 'none' : sorts.join(', ')}`);
  const points: Point[] = ['queueSort', 'preFilter', 'postFilter', 'permit', 'reserve'];
  if (!points.some(has)) return null;
  for (const p of ['queueSort', 'permit', 'reserve'] as const)
    if (!has(p))
      plugins.fail(
        `Coscheduling must be enabled at queueSort, permit and reserve together (it is not at ${p}); enable it under multiPoint and disable PrioritySort`,
      );
  return { ...args, preFilter: has('preFilter'), postFilter: has('postFilter') };
}

/**
 * CoschedulingArgs (scheduler-plugins apis/config/v1 types.go, defaults.go: permitWaitingTimeSeconds 60,
 * podGroupBackoffSeconds 0; coscheduling.go New refuses a negative backoff).
 */
function parseCoschedulingArgs(args: Field): CoschedulingArgs {
  args.rejectUnknownKeys(['apiVersion', 'kind', 'permitWaitingTimeSeconds', 'podGroupBackoffSeconds']);
  return {
    permitWaitingTimeSeconds: args
      .get('permitWaitingTimeSeconds')
      .optInt(DEFAULT_COSCHEDULING_ARGS.permitWaitingTimeSeconds, { min: 0, max: 2 ** 31 - 1 }),
    podGroupBackoffSeconds: args
      .get('podGroupBackoffSeconds')
      .optInt(DEFAULT_COSCHEDULING_ARGS.podGroupBackoffSeconds, { min: 0, max: 2 ** 31 - 1 }),
  };
}

function sameGangArgs(a: GangProfile, b: GangProfile): boolean {
  return a.permitWaitingTimeSeconds === b.permitWaitingTimeSeconds && a.podGroupBackoffSeconds === b.podGroupBackoffSeconds;
}

/** The user plugins enabled at filter or score, in configuration order (filter list first). */
function userPluginUses(filter: readonly Enabled[], score: readonly Enabled[], scoreWeight: (name: string) => number): UserPluginUse[] {
  const out: UserPluginUse[] = [];
  for (const e of [...filter, ...score]) {
    const plugin = userPlugin(e.name);
    if (plugin === undefined || out.some((u) => u.plugin.name === e.name)) continue;
    out.push({ plugin, filter: filter.some((x) => x.name === e.name), weight: scoreWeight(e.name) });
  }
  return out;
}

/**
 * PodTopologySpreadArgs (ValidatePodTopologySpreadArgs): defaultingType System (the default: hostname maxSkew 3
 * and zone maxSkew 5, ScheduleAnyway) or List with defaultConstraints that carry no selector.
 */
function parseSpreadArgs(args: Field): SpreadDefaults {
  args.rejectUnknownKeys(['apiVersion', 'kind', 'defaultConstraints', 'defaultingType']);
  // SetDefaults_PodTopologySpreadArgs: an empty defaultingType means System.
  const type = args.get('defaultingType').optOneOf(['System', 'List'] as const, 'System');
  const list = args.get('defaultConstraints').items();
  if (type === 'System') {
    if (list.length > 0)
      args.get('defaultConstraints').fail('must be empty when defaultingType is "System" (set defaultingType: List to use your own)');
    return SYSTEM_DEFAULTS;
  }
  const seen = new Set<string>();
  const constraints = list.map((c): TopologySpreadConstraint => {
    c.rejectUnknownKeys([
      'maxSkew',
      'topologyKey',
      'whenUnsatisfiable',
      'labelSelector',
      'minDomains',
      'nodeAffinityPolicy',
      'nodeTaintsPolicy',
      'matchLabelKeys',
    ]);
    if (c.get('labelSelector').exists)
      c.get('labelSelector').fail(
        'default constraints must not define a selector: it is deduced for each pod from its Services and controller',
      );
    const topologyKey = c.get('topologyKey').str();
    if (topologyKey === '') c.get('topologyKey').fail('expected a node label key, got ""');
    const whenUnsatisfiable = c.get('whenUnsatisfiable').oneOf(['DoNotSchedule', 'ScheduleAnyway'] as const);
    const pair = `${topologyKey}/${whenUnsatisfiable}`;
    if (seen.has(pair))
      c.get('topologyKey').fail(`duplicate constraint for topologyKey "${topologyKey}" and whenUnsatisfiable ${whenUnsatisfiable}`);
    seen.add(pair);
    return { maxSkew: c.get('maxSkew').int({ min: 1, max: 2 ** 31 - 1 }), topologyKey, whenUnsatisfiable, matchLabelKeys: [] };
  });
  return { defaultingType: 'List', constraints };
}

/** DefaultPreemptionArgs (ValidateDefaultPreemptionArgs). */
function parsePreemptionArgs(args: Field): PreemptionArgs {
  args.rejectUnknownKeys(['apiVersion', 'kind', 'minCandidateNodesPercentage', 'minCandidateNodesAbsolute']);
  const pct = args.get('minCandidateNodesPercentage').optInt(DEFAULT_PREEMPTION_ARGS.minCandidateNodesPercentage, { min: 0, max: 100 });
  const abs = args.get('minCandidateNodesAbsolute').optInt(DEFAULT_PREEMPTION_ARGS.minCandidateNodesAbsolute, { min: 0 });
  if (pct === 0 && abs === 0) args.fail('minCandidateNodesPercentage and minCandidateNodesAbsolute cannot both be zero');
  return { minCandidateNodesPercentage: pct, minCandidateNodesAbsolute: abs };
}

/** True for the names of kubesim's own plugins (a user plugin may not reuse one). */
export function isKnownPlugin(name: string): boolean {
  return PLUGIN_POINTS[name] !== undefined;
}

/** The extension points of a plugin: in-tree, or a user plugin's filter and/or score (user-plugins.ts). */
function pointsOf(name: string): readonly Point[] {
  const known = PLUGIN_POINTS[name];
  if (known !== undefined) return known;
  const u = userPlugin(name);
  if (u === undefined) return [];
  const points: Point[] = [];
  if (u.impl.filter !== undefined) points.push('filter');
  if (u.impl.score !== undefined) points.push('score');
  return points;
}

function pluginName(f: Field, allowStar = true): string {
  const nf = f.get('name');
  const name = nf.str();
  if (name === '*' && allowStar) return name;
  if (PLUGIN_POINTS[name] === undefined && userPlugin(name) === undefined) {
    nf.fail(
      `unknown plugin "${name}"; expected one of ${Object.keys(PLUGIN_POINTS).join(', ')}${allowStar ? ' or "*"' : ''} (or a plugin of a module given with --plugin-module)`,
    );
  }
  return name;
}

interface FitArgs {
  readonly strategy: typeof DEFAULT_SCORING_STRATEGY;
  readonly ignoredResources: readonly string[];
  readonly ignoredResourceGroups: readonly string[];
}

/** NodeResourcesFitArgs (apis/config/v1 types; validation in apis/config/validation/validation_pluginargs.go). */
function parseFitArgs(args: Field): FitArgs {
  args.rejectUnknownKeys(['apiVersion', 'kind', 'ignoredResources', 'ignoredResourceGroups', 'scoringStrategy']);
  // ValidateNodeResourcesFitArgs: every ignored resource is a qualified name (ValidateLabelName); a group is one
  // without '/' (it is matched against the prefix before the '/' of extended resource names).
  const qualified =
    "an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  const ignoredResources = args
    .get('ignoredResources')
    .items()
    .map((f) => {
      const name = f.str();
      if (!isQualifiedName(name)) f.fail(`invalid resource name ${JSON.stringify(name)}: expected ${qualified}`);
      return name;
    });
  const ignoredResourceGroups = args
    .get('ignoredResourceGroups')
    .items()
    .map((f) => {
      const group = f.str();
      if (group.includes('/')) f.fail(`invalid resource group ${JSON.stringify(group)}: resource group name can't contain '/'`);
      if (!isQualifiedName(group))
        f.fail(
          `invalid resource group ${JSON.stringify(group)}: expected at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
        );
      return group;
    });
  return { strategy: parseScoringStrategy(args.get('scoringStrategy')), ignoredResources, ignoredResourceGroups };
}

function parseScoringStrategy(ss: Field): typeof DEFAULT_SCORING_STRATEGY {
  if (!ss.exists) return DEFAULT_SCORING_STRATEGY;
  ss.rejectUnknownKeys(['type', 'resources', 'requestedToCapacityRatio']);
  const type = ss
    .get('type')
    .optOneOf<ScoringStrategyType>(['LeastAllocated', 'MostAllocated', 'RequestedToCapacityRatio'], 'LeastAllocated');
  const resources = ss.get('resources').exists ? parseResources(ss.get('resources')) : DEFAULT_SCORING_STRATEGY.resources;
  let shape: ShapePoint[] = [];
  const rtcr = ss.get('requestedToCapacityRatio');
  if (type === 'RequestedToCapacityRatio') {
    rtcr.rejectUnknownKeys(['shape']);
    const points = rtcr.get('shape').items();
    if (points.length === 0) rtcr.get('shape').fail('expected at least one shape point for RequestedToCapacityRatio');
    shape = points.map((p) => {
      p.rejectUnknownKeys(['utilization', 'score']);
      return { utilization: p.get('utilization').int({ min: 0, max: 100 }), score: p.get('score').int({ min: 0, max: 10 }) };
    });
    for (let i = 1; i < shape.length; i++) {
      if (shape[i].utilization <= shape[i - 1].utilization)
        points[i].get('utilization').fail('shape utilization values must be strictly increasing');
    }
  } else if (rtcr.exists) rtcr.fail(`requestedToCapacityRatio is only valid with type RequestedToCapacityRatio, not ${type}`);
  return { type, resources, shape };
}

function parseResources(f: Field): ResourceSpec[] {
  const items = f.items();
  if (items.length === 0) f.fail('expected at least one resource');
  const out: ResourceSpec[] = [];
  for (const r of items) {
    r.rejectUnknownKeys(['name', 'weight']);
    const name = r.get('name').str();
    if (out.some((x) => x.name === name)) r.get('name').fail(`duplicate resource "${name}"`);
    out.push({ name, weight: r.get('weight').optInt(1, { min: 1, max: 100 }) });
  }
  return out;
}
