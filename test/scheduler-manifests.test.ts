/** Pod fields the scheduler reads (topologySpreadConstraints, pod (anti-)affinity, preemptionPolicy) and their field-path errors. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pod } from '../engine/api/objects.js';
import { parseManifests } from '../engine/scenario/manifests.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import { expectInputError } from './helpers.js';

const pod = (specExtra: string): string => `apiVersion: v1
kind: Pod
metadata: {name: p, labels: {app: web, rev: "2"}}
spec:
  containers: [{name: c, image: nginx}]
${specExtra}`;
const parse = (text: string): Pod => parseManifests(parseYamlDocuments(text, 'pod.yaml')[0])[0] as Pod;

test('topologySpreadConstraints: defaults left for the scheduler (minDomains 1, Honor/Ignore), matchLabelKeys kept', () => {
  const p = parse(
    pod(`  topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}, matchLabelKeys: [rev]}
  - {maxSkew: 2, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, nodeTaintsPolicy: Honor}`),
  );
  assert.equal(p.spec.topologySpreadConstraints, [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { app: 'web' }, matchExpressions: [] },
      matchLabelKeys: ['rev'],
    },
    {
      maxSkew: 2,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
      matchLabelKeys: [],
      nodeTaintsPolicy: 'Honor',
    },
  ]);
});

test('topologySpreadConstraints: validation errors name the field', () => {
  let e = expectInputError(() =>
    parse(pod(`  topologySpreadConstraints: [{maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]`)),
  );
  assert.is(e.path, 'spec.topologySpreadConstraints[0].maxSkew');
  e = expectInputError(() => parse(pod(`  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: Sometimes}]`)));
  assert.is(e.path, 'spec.topologySpreadConstraints[0].whenUnsatisfiable');
  e = expectInputError(() =>
    parse(pod(`  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, minDomains: 2}]`)),
  );
  assert.is(e.path, 'spec.topologySpreadConstraints[0].minDomains');
  e = expectInputError(() =>
    parse(
      pod(
        `  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}, {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]`,
      ),
    ),
  );
  assert.is(e.path, 'spec.topologySpreadConstraints[1].topologyKey');
  assert.match(e.detail, /duplicate/);
  e = expectInputError(() =>
    parse(pod(`  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, matchLabelKeys: [rev]}]`)),
  );
  assert.is(e.path, 'spec.topologySpreadConstraints[0].matchLabelKeys');
  e = expectInputError(() =>
    parse(
      pod(
        `  topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}, matchLabelKeys: [app]}]`,
      ),
    ),
  );
  assert.is(e.path, 'spec.topologySpreadConstraints[0].matchLabelKeys[0]');
});

test('podAffinity / podAntiAffinity: required and preferred terms; namespaces; errors name the field', () => {
  const p = parse(
    pod(`  affinity:
    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - {labelSelector: {matchLabels: {app: db}}, topologyKey: topology.kubernetes.io/zone, namespaces: [data]}
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 50
        podAffinityTerm: {labelSelector: {matchLabels: {app: web}}, topologyKey: kubernetes.io/hostname, namespaceSelector: {}}`),
  );
  assert.equal(p.spec.affinity?.podAffinity?.required[0], {
    labelSelector: { matchLabels: { app: 'db' }, matchExpressions: [] },
    namespaces: ['data'],
    topologyKey: 'topology.kubernetes.io/zone',
    matchLabelKeys: [],
    mismatchLabelKeys: [],
  });
  assert.is(p.spec.affinity?.podAntiAffinity?.preferred[0].weight, 50);
  assert.equal(p.spec.affinity?.podAntiAffinity?.preferred[0].term.namespaceSelector, { matchLabels: {}, matchExpressions: [] });
  let e = expectInputError(() =>
    parse(
      pod(
        `  affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {matchLabels: {app: db}}, topologyKey: ""}]}}`,
      ),
    ),
  );
  assert.is(e.path, 'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey');
  e = expectInputError(() =>
    parse(
      pod(
        `  affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 101, podAffinityTerm: {topologyKey: zone}}]}}`,
      ),
    ),
  );
  assert.is(e.path, 'spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight');
});

test('preemptionPolicy: Never or PreemptLowerPriority; absent until admission copies the PriorityClass value', () => {
  assert.is(parse(pod('  preemptionPolicy: Never')).spec.preemptionPolicy, 'Never');
  assert.is(parse(pod('')).spec.preemptionPolicy, undefined);
  const e = expectInputError(() => parse(pod('  preemptionPolicy: Sometimes')));
  assert.is(e.path, 'spec.preemptionPolicy');
});

test.run();
