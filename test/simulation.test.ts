/**
 * End-to-end properties of a run through every component: determinism, conservation of pods, no
 * over-committed node at any instant, the order of a pod's workflow, and the scheduler's retry of
 * unschedulable pods.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject, Node, Pod } from '../engine/api/objects.js';
import { isTerminal } from '../engine/api/objects.js';
import { podRequests } from '../engine/api/pod-resources.js';
import { summaryCsv } from '../engine/report/csv.js';
import { runOnce } from '../engine/run.js';
import { loadScenario } from '../engine/scenario/load.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Tests run from dist/test; fixtures stay in the source tree. */
export const FIXTURES = join(here, '..', '..', 'test', 'fixtures');
const { scenario } = loadScenario(join(FIXTURES, 'small.yaml'));
const [spread, pack] = scenario.policies;

test('the same scenario and seed give byte-identical results and fingerprints', () => {
  const a = runOnce(scenario, spread, 7);
  const b = runOnce(scenario, spread, 7);
  assert.is(summaryCsv([a]), summaryCsv([b]));
  assert.is(a.fingerprint, b.fingerprint);
  const c = runOnce(scenario, spread, 8);
  assert.is.not(c.fingerprint, a.fingerprint, 'another seed is another run');
});

test('conservation: every created pod is in exactly one end state, matching etcd', () => {
  const r = runOnce(scenario, spread, 7);
  const s = r.summary;
  assert.is(s.pods_created, 1 + 60 + 120 + 2);
  assert.is(s.pods_running + s.pods_starting_end + s.pods_succeeded + s.pods_failed + s.pods_deleted + s.pods_pending_end, s.pods_created);
  const stored = new Map(r.store.pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
  assert.is(stored.size, s.pods_created - s.pods_deleted);
  let pending = 0;
  let succeeded = 0;
  for (const rec of r.recorder.pods.values()) {
    const p = stored.get(rec.key.slice('Pod/'.length));
    assert.ok(p !== undefined, `${rec.key} in etcd`);
    assert.is(rec.phase, p.status.phase, rec.key);
    assert.is(rec.node, p.spec.nodeName, rec.key);
    if (p.spec.nodeName === '') pending++;
    if (p.status.phase === 'Succeeded') succeeded++;
  }
  assert.is(pending, s.pods_pending_end);
  assert.is(succeeded, s.pods_succeeded);
  assert.is(s.pods_pending_end, 2, 'the two 64-cpu pods fit nowhere');
  assert.ok(s.pods_succeeded > 100, 'most batch pods finished within the run');
});

test('no node is over-committed at any commit, under either policy', () => {
  for (const policy of [spread, pack]) {
    const nodes = new Map<string, Node>();
    const used = new Map<string, { cpu: number; mem: number; pods: number }>();
    const placed = new Map<string, Pod>();
    let checks = 0;
    let bindings = 0;
    const observe = (_t: number, type: string, o: KubeObject): void => {
      if (o.kind === 'Node') nodes.set(o.metadata.name, o);
      if (o.kind !== 'Pod') return;
      const key = `${o.metadata.namespace}/${o.metadata.name}`;
      const prev = placed.get(key);
      if (prev !== undefined) {
        const u = used.get(prev.spec.nodeName)!;
        const r = podRequests(prev.spec);
        u.cpu -= r.cpu;
        u.mem -= r.memory;
        u.pods--;
        placed.delete(key);
      }
      if (type !== 'DELETED' && o.spec.nodeName !== '' && !isTerminal(o)) {
        if (prev === undefined) bindings++;
        const u = used.get(o.spec.nodeName) ?? { cpu: 0, mem: 0, pods: 0 };
        const r = podRequests(o.spec);
        u.cpu += r.cpu;
        u.mem += r.memory;
        u.pods++;
        used.set(o.spec.nodeName, u);
        placed.set(key, o);
        const a = nodes.get(o.spec.nodeName)!.status.allocatable;
        assert.ok(u.cpu <= a.cpu && u.mem <= a.memory && u.pods <= a.pods, `${o.spec.nodeName} over-committed by ${key}`);
        checks++;
      }
    };
    const r = runOnce(scenario, policy, 7, { observe });
    assert.is(bindings, r.summary.pods_scheduled, `${policy.name}: every binding was checked`);
    assert.ok(checks > bindings, 'status updates of bound pods were checked too');
  }
});

test('policies place pods differently: bin-packing uses fewer nodes than spreading', () => {
  const a = runOnce(scenario, spread, 7);
  const b = runOnce(scenario, pack, 7);
  assert.ok(b.summary.nodes_in_use_end < a.summary.nodes_in_use_end, `${b.summary.nodes_in_use_end} < ${a.summary.nodes_in_use_end}`);
  assert.is(a.summary.pods_created, b.summary.pods_created, 'common random numbers: same workload draws');
});

test('trace of `kubectl run nginx` follows the seed order through every component', () => {
  const r = runOnce(scenario, spread, 7, { trace: 'nginx' });
  const expected = [
    'created',
    'seen by scheduler',
    'scheduled: assigned to node',
    'bound: binding to node',
    'seen by kubelet on',
    'image nginx: pulled',
    'containers started',
    'running',
  ];
  assert.is(r.trace.length, expected.length, r.trace.map((s) => s.text).join('\n'));
  expected.forEach((prefix, i) =>
    assert.ok(r.trace[i].text.startsWith(prefix), `step ${i}: "${r.trace[i].text}" should start with "${prefix}"`),
  );
  for (let i = 1; i < r.trace.length; i++) assert.ok(r.trace[i].t >= r.trace[i - 1].t, 'timestamps never go back');
  assert.ok(r.trace[0].t >= 500_000, 'created after its arrival time (500ms)');
  const node = /node (\S+)/.exec(r.trace[2].text)![1];
  assert.ok(r.trace[3].text.includes(node) && r.trace[4].text.includes(node), 'bound to and started on the node it was assigned');
  // A pod behind a Service goes one step further: kube-proxy programs its endpoint.
  const webPod = r.store.pods.find((p) => p.metadata.labels.app === 'web')!.metadata.name;
  const web = runOnce(scenario, spread, 7, { trace: webPod });
  assert.ok(web.trace.at(-1)!.text.startsWith('endpoints programmed: service default/web'), web.trace.at(-1)!.text);
});

test('unschedulable pods are retried with backoff and after the unschedulable timeout', () => {
  const r = runOnce(scenario, spread, 7);
  const huge = [...r.recorder.pods.values()].filter((p) => p.key.startsWith('Pod/default/huge-'));
  assert.is(huge.length, 2);
  // Moved back by cluster events while batch pods finish, and flushed every 5 minutes after that:
  for (const p of huge) assert.ok(p.attempts >= 3, `${p.key}: ${p.attempts} attempts`);
  assert.ok(r.summary.unschedulable_attempts >= 6);
});

test.run();
