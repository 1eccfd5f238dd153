/**
 * The plugin registry (framework/registry.ts) against the instances a profile gets (framework/profile-plugins.ts)
 * and against upstream's default profile (default_plugins.go, v1.36), and pluginConfig args through each
 * plugin's entry: modeled args parsed, args kubesim does not model warned about, args a plugin does not take refused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSchedulerConfig } from '../engine/scenario/scheduler-config.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import { PLUGIN_NAMES, pluginDescriptor, registrationsOf } from '../engine/scheduler/framework/registry.js';
import { profilePlugins } from '../engine/scheduler/framework/profile-plugins.js';
import { DEFAULT_PROFILE, editProfile, scoreWeight } from '../engine/scheduler/profile.js';
import { expectInputError } from './helpers.js';

const HEAD = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
const parse = (body: string) => parseSchedulerConfig(parseYamlDocuments(`${HEAD}${body}`, 'cfg.yaml')[0]);

/** Plugins whose Filter or Score has nothing to act on in kubesim's model, so they get no instance. */
const NO_INSTANCE = new Set(['NodeName', 'DynamicResources', 'VolumeBinding']);

test('every modeled Filter and Score plugin of the registry gets an instance of that name when enabled', () => {
  for (const name of PLUGIN_NAMES) {
    const d = pluginDescriptor(name);
    assert.ok(d !== undefined);
    for (const point of ['filter', 'score'] as const) {
      if (!d.points.includes(point) || NO_INSTANCE.has(name) || d.support !== 'modeled') continue;
      const p = editProfile(DEFAULT_PROFILE, {
        disable: [...DEFAULT_PROFILE.plugins[point].map((n) => ({ name: n, points: [point] }))],
        enable: [{ name, points: [point] }],
        weights: point === 'score' ? { [name]: 4 } : {},
      });
      const pl = profilePlugins(p);
      if (point === 'filter')
        assert.equal(
          pl.filters.map((f) => f.name),
          [name],
          `${name} at filter`,
        );
      else
        assert.equal(
          pl.scores.map((s) => [s.plugin.name, s.weight]),
          [[name, 4]],
          `${name} at score`,
        );
    }
  }
  // Filter plugins carry their rejector bit, which keys their EventsToRegister; every default one registers events.
  for (const f of profilePlugins(DEFAULT_PROFILE).filters) {
    const d = pluginDescriptor(f.name);
    assert.is(d?.bit, f.bit, f.name);
    assert.ok(d?.events !== undefined && d.events(true).length > 0 && d.events(false).length > 0, `${f.name} registers events`);
    assert.equal(registrationsOf(f.bit, true), d.events(true), `${f.name}: the queue's table is the plugin's`);
  }
  // A bit without EnqueueExtensions (Open-Gpu-Share, a user's plugin) registers every event.
  assert.equal(
    registrationsOf(1 << 30, true).map((r) => r.event.resource),
    ['*'],
  );
});

test('the default profile is default_plugins.go: filter order and score weights', () => {
  assert.equal(DEFAULT_PROFILE.plugins.filter, [
    'NodeUnschedulable',
    'NodeName',
    'TaintToleration',
    'NodeAffinity',
    'NodePorts',
    'NodeResourcesFit',
    'VolumeRestrictions',
    'NodeVolumeLimits',
    'VolumeBinding',
    'VolumeZone',
    'PodTopologySpread',
    'InterPodAffinity',
    'DynamicResources',
  ]);
  const weights = Object.fromEntries(
    [
      'TaintToleration',
      'NodeAffinity',
      'NodeResourcesFit',
      'PodTopologySpread',
      'InterPodAffinity',
      'NodeResourcesBalancedAllocation',
      'ImageLocality',
    ].map((n) => [n, scoreWeight(DEFAULT_PROFILE, n)]),
  );
  assert.equal(weights, {
    TaintToleration: 3,
    NodeAffinity: 2,
    NodeResourcesFit: 1,
    PodTopologySpread: 2,
    InterPodAffinity: 2,
    NodeResourcesBalancedAllocation: 1,
    ImageLocality: 1,
  });
  // A configuration without profiles resolves to the same data.
  assert.equal(parse('').profiles[0], DEFAULT_PROFILE);
});

test('pluginConfig: unmodeled upstream args are warned about by path; args a plugin does not take are refused', () => {
  const p = parse(`profiles:
- pluginConfig:
  - name: VolumeBinding
    args: {bindTimeoutSeconds: 300}
`);
  assert.equal(p.notModeled, ['profiles[0].pluginConfig[0].args.bindTimeoutSeconds']);
  const e = expectInputError(() => parse('profiles:\n- pluginConfig:\n  - {name: TaintToleration, args: {weight: 3}}\n'));
  assert.is(e.path, 'profiles[0].pluginConfig[0].args.weight');
  // A modeled plugin's args land in the profile's data.
  const m = parse('profiles:\n- pluginConfig:\n  - {name: InterPodAffinity, args: {hardPodAffinityWeight: 7}}\n');
  assert.is(m.profiles[0].args.InterPodAffinity.hardPodAffinityWeight, 7);
});

test.run();
