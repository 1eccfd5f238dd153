/**
 * KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1), as a user would paste it, → scheduling
 * profiles. Plugin sets are resolved as upstream does (pkg/scheduler/apis/config/v1/default_plugins.go
 * mergePlugins): the default multiPoint set, then the user's multiPoint enabled/disabled, then each extension
 * point's enabled/disabled ("*" disables every default plugin of that point); a score plugin without a weight
 * gets its multiPoint weight, else 1.
 *
 * Plugins kubesim does not model are accepted and reported as ignored, so real configurations load.
 */
import { MICROS_PER_SECOND } from '../core/time.js';
import { DEFAULT_PARALLELISM } from '../scheduler/cycle-cost.js';
import { DEFAULT_FEATURE_GATES, type FeatureGates, type SchedulerQueueSettings } from '../scheduler/scheduler-settings.js';
import type { RateLimit } from '../api/rate-limiter.js';
import { SCHEDULER_CLIENT } from './defaults.js';
import type { Field } from './yaml-field.js';
import { NAME as COSCHEDULING, type GangProfile } from '../scheduler/plugins/coscheduling/index.js';
import { userPlugin } from '../scheduler/user-plugins.js';
import {
  DEFAULT_ARGS,
  DEFAULT_PROFILE,
  gangOf,
  gpuPluginsOf,
  type PluginArgs,
  type PluginSet,
  type Profile,
} from '../scheduler/profile.js';
import { DEFAULT_PLUGINS, PLUGIN_NAMES, pluginDescriptor } from '../scheduler/framework/registry.js';
import { EXTENSION_POINTS, type ExtensionPoint } from '../scheduler/framework/registry-types.js';
import type { GpuProfile } from '../scheduler/plugins/gpu-plugins.js';

/**
 * Largest score weight: upstream refuses only weights whose total could overflow int64
 * (framework/runtime/framework.go: weight × MaxNodeScore ≤ MaxTotalScore); kubesim keeps totals exact in float64.
 * The FGD study's configurations use weight 1000.
 */
const MAX_SCORE_WEIGHT = Math.floor(Number.MAX_SAFE_INTEGER / 100 / 1000);

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
  ignoredPlugins: DEFAULT_PLUGINS.map((d) => d.name)
    .filter((n) => pluginDescriptor(n)?.support === 'ignored')
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
  const names = new Set<string>();
  if (profileFields.length === 0) profiles.push({ ...DEFAULT_PROFILE, percentageOfNodesToScore: globalPct });
  for (const pf of profileFields) {
    const p = parseProfile(pf, globalPct, ignored, notModeled);
    if (names.has(p.schedulerName)) pf.get('schedulerName').fail(`duplicate schedulerName "${p.schedulerName}"`);
    names.add(p.schedulerName);
    // validateCommonQueueSort (apis/config/validation/validation.go): one scheduling queue serves every profile,
    // so all profiles must sort it alike.
    const gang = gangOf(p);
    const firstGang = profiles.length > 0 ? gangOf(profiles[0]) : null;
    if (profiles.length > 0 && (firstGang === null) !== (gang === null))
      pf.get('plugins').fail('queueSort must be the same for all profiles (Coscheduling in one profile and not in another)');
    if (gang !== null && firstGang !== null && !sameGangArgs(firstGang, gang))
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
    gpuProfiles: profiles.map(gpuPluginsOf),
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

function parseProfile(pf: Field, globalPct: number, ignored: Set<string>, notModeled: string[]): Profile {
  pf.rejectUnknownKeys(['schedulerName', 'percentageOfNodesToScore', 'plugins', 'pluginConfig']);
  const schedulerName = pf.get('schedulerName').optStr('default-scheduler');
  const pctField = pf.get('percentageOfNodesToScore');
  const pct = pctField.exists ? pctField.int({ min: 0, max: 100 }) : globalPct;

  // Resolve which plugins run at which point.
  const at = new Map<ExtensionPoint, Enabled[]>(EXTENSION_POINTS.map((p) => [p, []]));
  const multiWeight = new Map<string, number>();
  for (const d of DEFAULT_PLUGINS) {
    multiWeight.set(d.name, d.weight);
    for (const p of pointsOf(d.name)) (at.get(p) as Enabled[]).push({ name: d.name, weight: 0 });
  }
  const plugins = pf.get('plugins');
  plugins.rejectUnknownKeys(['multiPoint', ...EXTENSION_POINTS]);
  const mp = plugins.get('multiPoint');
  mp.rejectUnknownKeys(['enabled', 'disabled']);
  for (const d of mp.get('disabled').items()) {
    const name = pluginName(d);
    for (const p of EXTENSION_POINTS) at.set(p, name === '*' ? [] : (at.get(p) as Enabled[]).filter((e) => e.name !== name));
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
  for (const point of EXTENSION_POINTS) {
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
  const weights: Record<string, number> = {};
  for (const e of at.get('score') as Enabled[]) weights[e.name] = e.weight > 0 ? e.weight : multiWeight.get(e.name) || 1;
  for (const point of EXTENSION_POINTS) {
    for (const e of at.get(point) as Enabled[]) if (pluginDescriptor(e.name)?.support === 'ignored') ignored.add(e.name);
  }

  // pluginConfig args, parsed and validated by each plugin's registry entry.
  const args: Record<string, unknown> = { ...DEFAULT_ARGS };
  const seen = new Set<string>();
  for (const pc of pf.get('pluginConfig').items()) {
    pc.rejectUnknownKeys(['name', 'args']);
    const name = pluginName(pc, false);
    if (seen.has(name)) pc.get('name').fail(`duplicate pluginConfig for ${name}`);
    seen.add(name);
    const a = pc.get('args');
    const spec = pluginDescriptor(name)?.args;
    if (spec !== undefined) {
      args[name] = spec.parse(a);
      continue;
    }
    // Upstream args kubesim does not model: warned about (by field path), never silently dropped.
    if (a.exists && a.kind() === 'map') for (const k of a.keys()) if (k !== 'apiVersion' && k !== 'kind') notModeled.push(a.get(k).path);
  }
  const set = Object.fromEntries(EXTENSION_POINTS.map((p) => [p, (at.get(p) as Enabled[]).map((e) => e.name)])) as unknown as PluginSet;
  const profile: Profile = { schedulerName, percentageOfNodesToScore: pct, plugins: set, weights, args: args as unknown as PluginArgs };
  checkGang(pf.get('plugins'), at);
  return profile;
}

/**
 * Coscheduling's place in the profile. The scheduling framework runs exactly one QueueSort plugin
 * (framework/runtime/framework.go NewFramework); the plugin's README requires queueSort, permit and reserve
 * (Unreserve) together, and its PreFilter and PostFilter are optional. A partial setup is refused.
 */
function checkGang(plugins: Field, at: ReadonlyMap<ExtensionPoint, readonly Enabled[]>): void {
  const has = (point: ExtensionPoint): boolean => (at.get(point) ?? []).some((e) => e.name === COSCHEDULING);
  const sorts = (at.get('queueSort') ?? []).map((e) => e.name);
  if (sorts.length !== 1)
    plugins.fail(`exactly one queueSort plugin must be enabled, got ${sorts.length === 0 ? 'none' : sorts.join(', ')}`);
  const points: ExtensionPoint[] = ['queueSort', 'preFilter', 'postFilter', 'permit', 'reserve'];
  if (!points.some(has)) return;
  for (const p of ['queueSort', 'permit', 'reserve'] as const)
    if (!has(p))
      plugins.fail(
        `Coscheduling must be enabled at queueSort, permit and reserve together (it is not at ${p}); enable it under multiPoint and disable PrioritySort`,
      );
}

function sameGangArgs(a: GangProfile, b: GangProfile): boolean {
  return a.permitWaitingTimeSeconds === b.permitWaitingTimeSeconds && a.podGroupBackoffSeconds === b.podGroupBackoffSeconds;
}

/** True for the names of kubesim's own plugins (a user plugin may not reuse one). */
export function isKnownPlugin(name: string): boolean {
  return pluginDescriptor(name) !== undefined;
}

/** The extension points of a plugin: registered, or a user plugin's filter and/or score (user-plugins.ts). */
function pointsOf(name: string): readonly ExtensionPoint[] {
  const known = pluginDescriptor(name);
  if (known !== undefined) return known.points;
  const u = userPlugin(name);
  if (u === undefined) return [];
  const points: ExtensionPoint[] = [];
  if (u.impl.filter !== undefined) points.push('filter');
  if (u.impl.score !== undefined) points.push('score');
  return points;
}

function pluginName(f: Field, allowStar = true): string {
  const nf = f.get('name');
  const name = nf.str();
  if (name === '*' && allowStar) return name;
  if (pluginDescriptor(name) === undefined && userPlugin(name) === undefined) {
    nf.fail(
      `unknown plugin "${name}"; expected one of ${PLUGIN_NAMES.join(', ')}${allowStar ? ' or "*"' : ''} (or a plugin of a module given with --plugin-module)`,
    );
  }
  return name;
}
