/**
 * InterPodAffinity: filter and score cases hand-computed from filtering.go / scoring.go (the situations of
 * upstream's pkg/scheduler/framework/plugins/interpodaffinity/{filtering,scoring}_test.go: TestRequiredAffinitySingleNode,
 * TestPreferredAffinity, TestPreferredAffinityWithHardPodAffinitySymmetricWeight).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PodAffinityTerm, PodSpec } from '../../../api/objects.js';
import { DEFAULT_PROFILE, editProfile } from '../../profile.js';
import {
  cluster,
  inputOf,
  type NodeDesc,
  labeledPod,
  onlyScores,
  runCycle,
  scoreNodes,
  verdicts,
} from '../../../../test/scheduler-helpers.js';

const HOST = 'kubernetes.io/hostname';
const term = (labels: Record<string, string>, topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({
  labelSelector: { matchLabels: labels, matchExpressions: [] },
  namespaces: [],
  topologyKey,
  matchLabelKeys: [],
  mismatchLabelKeys: [],
  ...extra,
});
const nodes: NodeDesc[] = [
  { name: 'a', labels: { zone: 'z1', [HOST]: 'a' } },
  { name: 'b', labels: { zone: 'z1', [HOST]: 'b' } },
  { name: 'x', labels: { zone: 'z2', [HOST]: 'x' } },
  { name: 'nozone', labels: { [HOST]: 'nozone' } },
];
const affinity = (required: PodAffinityTerm[]): Partial<PodSpec> => ({ affinity: { podAffinity: { required, preferred: [] } } });
const anti = (required: PodAffinityTerm[]): Partial<PodSpec> => ({ affinity: { podAntiAffinity: { required, preferred: [] } } });

test('required affinity: nodes in the domain of a matching pod pass; others and nodes without the key are unresolvable', () => {
  const cl = cluster(nodes, [{ name: 'db-0', node: 'a', labels: { app: 'db' } }]);
  const pod = inputOf(labeledPod('p', { app: 'web' }, affinity([term({ app: 'db' }, 'zone')])));
  const { k, d } = runCycle(DEFAULT_PROFILE, cl, pod);
  assert.ok(d.node === 0 || d.node === 1);
  assert.equal(verdicts(k, cl.t), { a: 0, b: 0, x: 2, nozone: 2 });
});

test('required affinity: the first pod of a self-affine group may go anywhere that has the key; otherwise nowhere', () => {
  const cl = cluster(nodes, [{ name: 'other', node: 'x', labels: { app: 'cache' } }]);
  const self = inputOf(labeledPod('p', { app: 'db' }, affinity([term({ app: 'db' }, 'zone')])));
  assert.equal(verdicts(runCycle(DEFAULT_PROFILE, cl, self).k, cl.t), { a: 0, b: 0, x: 0, nozone: 2 });
  const notSelf = inputOf(labeledPod('p', { app: 'web' }, affinity([term({ app: 'db' }, 'zone')])));
  const r = runCycle(DEFAULT_PROFILE, cl, notSelf);
  assert.is(r.d.node, -1);
  assert.equal([...(r.d.diagnosis ?? new Map()).entries()], [["node(s) didn't match pod affinity rules", 4]]);
});

test("required affinity terms: an existing pod must match ALL terms; namespaces default to the pod's own", () => {
  const cl = cluster(nodes, [
    { name: 'db-0', node: 'a', labels: { app: 'db' } },
    { name: 'tier-0', node: 'x', labels: { tier: 'backend' } },
    { name: 'db-other-ns', node: 'x', labels: { app: 'db', tier: 'backend' }, namespace: 'other' },
  ]);
  const pod = inputOf(labeledPod('p', { app: 'web' }, affinity([term({ app: 'db' }, 'zone'), term({ tier: 'backend' }, 'zone')])));
  // No pod in namespace default matches both terms, and the pod does not match them itself: nothing fits.
  assert.is(runCycle(DEFAULT_PROFILE, cl, pod).d.node, -1);
  // With namespaces: [other], db-other-ns matches both terms → zone z2 only.
  const pod2 = inputOf(
    labeledPod(
      'p',
      { app: 'web' },
      affinity([term({ app: 'db' }, 'zone', { namespaces: ['other'] }), term({ tier: 'backend' }, 'zone', { namespaces: ['other'] })]),
    ),
  );
  assert.equal(verdicts(runCycle(DEFAULT_PROFILE, cl, pod2).k, cl.t), { a: 2, b: 2, x: 0, nozone: 2 });
  // namespaceSelector {} selects every namespace.
  const pod3 = inputOf(
    labeledPod(
      'p',
      { app: 'web' },
      affinity([term({ app: 'db', tier: 'backend' }, 'zone', { namespaceSelector: { matchLabels: {}, matchExpressions: [] } })]),
    ),
  );
  assert.equal(verdicts(runCycle(DEFAULT_PROFILE, cl, pod3).k, cl.t), { a: 2, b: 2, x: 0, nozone: 2 });
});

test('required anti-affinity of the pod, and of existing pods against it (Unschedulable, preemption may help)', () => {
  const cl = cluster(nodes, [{ name: 'web-0', node: 'a', labels: { app: 'web' } }]);
  const pod = inputOf(labeledPod('p', { app: 'web' }, anti([term({ app: 'web' }, HOST)])));
  assert.equal(verdicts(runCycle(DEFAULT_PROFILE, cl, pod).k, cl.t), { a: 1, b: 0, x: 0, nozone: 0 });
  // An existing pod whose anti-affinity (zone) matches the incoming pod blocks its whole zone.
  const cl2 = cluster(nodes, [{ name: 'lonely', node: 'b', labels: { app: 'lonely' }, spec: anti([term({ app: 'web' }, 'zone')]) }]);
  const web = inputOf(labeledPod('p', { app: 'web' }));
  const r = runCycle(DEFAULT_PROFILE, cl2, web);
  assert.equal(verdicts(r.k, cl2.t), { a: 1, b: 1, x: 0, nozone: 0 });
  // A pod the term does not select is not affected.
  assert.equal(verdicts(runCycle(DEFAULT_PROFILE, cl2, inputOf(labeledPod('q', { app: 'api' }))).k, cl2.t), {
    a: 0,
    b: 0,
    x: 0,
    nozone: 0,
  });
});

const IPA = onlyScores({ InterPodAffinity: 1 });
const regionNodes: NodeDesc[] = [
  { name: 'n1', labels: { region: 'China' } },
  { name: 'n2', labels: { region: 'India' } },
  { name: 'n3', labels: { az: 'az1' } },
];
const preferred = (
  kind: 'podAffinity' | 'podAntiAffinity',
  weight: number,
  labels: Record<string, string>,
  key: string,
): Partial<PodSpec> => ({
  affinity: { [kind]: { required: [], preferred: [{ weight, term: term(labels, key) }] } },
});

test('score: preferred affinity and anti-affinity of the pod (100/0/0 and 0/100/100)', () => {
  const cl = cluster(regionNodes, [{ name: 's1', node: 'n1', labels: { security: 'S1' } }]);
  const aff = inputOf(labeledPod('p', {}, preferred('podAffinity', 5, { security: 'S1' }, 'region')));
  assert.equal(scoreNodes(IPA, cl, aff, ['n1', 'n2', 'n3']), { n1: 100, n2: 0, n3: 0 });
  const antiAff = inputOf(labeledPod('p', {}, preferred('podAntiAffinity', 5, { security: 'S1' }, 'region')));
  assert.equal(scoreNodes(IPA, cl, antiAff, ['n1', 'n2', 'n3']), { n1: 0, n2: 100, n3: 100 });
});

test("score: existing pods' required affinity counts hardPodAffinityWeight (symmetry); weight 0 turns it off", () => {
  const cl = cluster(regionNodes, [{ name: 'e', node: 'n1', labels: {}, spec: affinity([term({ security: 'S1' }, 'region')]) }]);
  const pod = inputOf(labeledPod('p', { security: 'S1' }));
  assert.equal(scoreNodes(IPA, cl, pod, ['n1', 'n2', 'n3']), { n1: 100, n2: 0, n3: 0 });
  assert.equal(
    scoreNodes(editProfile(IPA, { args: { InterPodAffinity: { ...IPA.args.InterPodAffinity, hardPodAffinityWeight: 0 } } }), cl, pod, [
      'n1',
      'n2',
      'n3',
    ]),
    { n1: 0, n2: 0, n3: 0 },
  );
});

test('score: normalization over [min, max] with negative sums, truncated (0/66/100)', () => {
  const hosts = ['h1', 'h2', 'h3'].map((n) => ({ name: n, labels: { [HOST]: n } }));
  const cl = cluster(hosts, [
    { name: 'b1', node: 'h1', labels: { app: 'b' } },
    { name: 'a1', node: 'h2', labels: { app: 'a' } },
    { name: 'a2', node: 'h2', labels: { app: 'a' } },
    ...[0, 1, 2, 3].map((i) => ({ name: `a3-${i}`, node: 'h3', labels: { app: 'a' } })),
  ]);
  const spec: Partial<PodSpec> = {
    affinity: {
      podAffinity: { required: [], preferred: [{ weight: 1, term: term({ app: 'a' }, HOST) }] },
      podAntiAffinity: { required: [], preferred: [{ weight: 2, term: term({ app: 'b' }, HOST) }] },
    },
  };
  // raw h1 = −2, h2 = 2, h3 = 4: 100·(s − min)/(max − min) → 0, 66.67 → 66, 100.
  assert.equal(scoreNodes(IPA, cl, inputOf(labeledPod('p', {}, spec)), ['h1', 'h2', 'h3']), { h1: 0, h2: 66, h3: 100 });
  // ignorePreferredTermsOfExistingPods only matters for pods without preferred terms of their own.
  assert.equal(
    scoreNodes(
      editProfile(IPA, { args: { InterPodAffinity: { ...IPA.args.InterPodAffinity, ignorePreferredTermsOfExistingPods: true } } }),
      cl,
      inputOf(labeledPod('p', {}, spec)),
      ['h1', 'h2', 'h3'],
    ),
    { h1: 0, h2: 66, h3: 100 },
  );
});

test.run();
