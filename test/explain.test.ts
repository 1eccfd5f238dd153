/**
 * `kubesim explain`: one pod's scheduling cycle against manifests. Expected scores are computed by hand from
 * upstream's formulas; the cases mirror upstream's plugin tests (named at each test).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RngStream } from '../engine/core/rng.js';
import { explain, type Explanation, type NodeExplanation } from '../engine/explain/explain.js';
import { readExplainInput } from '../engine/explain/inputs.js';
import { expectInputError } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'engine', 'cli.js');

interface Files {
  nodes: string;
  pod: string;
  pods?: string;
  config?: string;
}

/** Writes the YAML texts to a fresh folder and returns their paths. */
function files(texts: Files): Files {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-explain-'));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(texts)) {
    if (v === undefined) continue;
    out[k] = join(dir, `${k}.yaml`);
    writeFileSync(out[k], v);
  }
  return out as unknown as Files;
}

function run(texts: Files, seed = 1): Explanation {
  return explain({ ...readExplainInput(files(texts)), seed });
}

function node(name: string, cpu: string, memory: string, extra = ''): string {
  return `apiVersion: v1
kind: Node
metadata:
  name: ${name}
${extra}status:
  allocatable: {cpu: "${cpu}", memory: "${memory}", pods: "110"}
`;
}

/** A pod with one container per request pair (cpu, memory). */
function pod(name: string, requests: [string, string][], extra = '', nodeName = ''): string {
  const containers = requests
    .map(
      ([cpu, mem], i) =>
        `    - name: c${i}\n      image: registry.k8s.io/pause:3.9\n      resources: {requests: {cpu: "${cpu}", memory: "${mem}"}}`,
    )
    .join('\n');
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
${nodeName === '' ? '' : `  nodeName: ${nodeName}\n`}${extra}  containers:
${containers}
`;
}

function byName(e: Explanation): Record<string, NodeExplanation> {
  return Object.fromEntries(e.nodes.map((n) => [n.name, n]));
}

// The pod of least_allocated_test.go / most_allocated_test.go / balanced_allocation_test.go: two containers,
// (1000, 2000) and (2000, 3000), i.e. cpu 3000 and memory 5000 in total (cpu in cores, memory in bytes).
const UPSTREAM_POD: [string, string][] = [
  ['1000', '2000'],
  ['2000', '3000'],
];

test('default profile: LeastAllocated and BalancedAllocation by hand, weighted total, highest total wins', () => {
  // least_allocated_test.go "nothing scheduled, resources requested, differently sized nodes":
  //   node1 (4000, 10000): cpu (4000-3000)*100/4000 = 25, memory (10000-5000)*100/10000 = 50 → (25+50)/2 = 37
  //   node2 (6000, 10000): cpu 50, memory 50 → 50
  // BalancedAllocation, v1.36 delta formula 50 + (50 + with - without)/2 (balanced_allocation_test.go's case of
  // the same name gives the with-pod fractionScore: node1 87, node2 100; without the pod both are 100):
  //   node1: 50 + (50 + 87 - 100)/2 = 50 + 18 = 68;  node2: 50 + (50 + 100 - 100)/2 = 75
  // TaintToleration: no taints → 100 (weight 3). NodeAffinity, PodTopologySpread, InterPodAffinity and
  // ImageLocality add 0 (skipped at PreScore / no image on any node).
  const e = run({ nodes: node('node1', '4000', '10000') + '---\n' + node('node2', '6000', '10000'), pod: pod('p', UPSTREAM_POD) });
  const n = byName(e);
  assert.is(n.node1.scores.NodeResourcesFit, 37);
  assert.is(n.node2.scores.NodeResourcesFit, 50);
  assert.is(n.node1.scores.NodeResourcesBalancedAllocation, 68);
  assert.is(n.node2.scores.NodeResourcesBalancedAllocation, 75);
  assert.is(n.node1.scores.TaintToleration, 100);
  assert.equal(Object.keys(n.node1.scores), [
    'TaintToleration',
    'NodeAffinity',
    'NodeResourcesFit',
    'PodTopologySpread',
    'InterPodAffinity',
    'NodeResourcesBalancedAllocation',
    'ImageLocality',
  ]);
  assert.is(n.node1.totalScore, 3 * 100 + 37 + 68);
  assert.is(n.node2.totalScore, 3 * 100 + 50 + 75);
  assert.is(e.selectedNode, 'node2');
  assert.is(e.schedulerName, 'default-scheduler');
  assert.is(e.numFeasibleNodesToFind, 2, 'under 100 nodes every node is searched');
  assert.is(e.feasibleNodesKept, 2);
});

test('existing pods reduce capacity; an explicit zero memory request stays zero (not the 200Mi default)', () => {
  // least_allocated_test.go "resources requested, pods scheduled with resources, differently sized nodes":
  //   existing: node1 (3000 cpu, 0 memory), node2 (3000 cpu, 5000 memory)
  //   node1 (10000, 20000): cpu (10000-6000)*100/10000 = 40, memory (20000-5000)*100/20000 = 75 → 57
  //   node2 (10000, 50000): cpu 40, memory (50000-10000)*100/50000 = 80 → 60
  // BalancedAllocation by hand: node1 with = (1 - |0.6-0.25|/2)*100 = 82, without = (1 - |0.3-0|/2)*100 = 85
  //   → 50 + (50+82-85)/2 = 73; node2 with = (1 - |0.6-0.2|/2)*100 = 80, without = (1 - |0.3-0.1|/2)*100 = 90 → 70.
  // Totals 300+57+73 = 430 and 300+60+70 = 430: a tie, broken by the seeded stream (next test).
  const existing = `apiVersion: v1
kind: List
items:
- ${pod('a', [['3000', '0']], '', 'node1').replace(/\n/g, '\n  ')}
- ${pod('b', [['3000', '5000']], '', 'node2').replace(/\n/g, '\n  ')}
`;
  const e = run({
    nodes: node('node1', '10000', '20000') + '---\n' + node('node2', '10000', '50000'),
    pod: pod('p', UPSTREAM_POD),
    pods: existing,
  });
  const n = byName(e);
  assert.is(n.node1.scores.NodeResourcesFit, 57);
  assert.is(n.node2.scores.NodeResourcesFit, 60);
  assert.is(n.node1.scores.NodeResourcesBalancedAllocation, 73);
  assert.is(n.node2.scores.NodeResourcesBalancedAllocation, 70);
  assert.is(n.node1.totalScore, 430);
  assert.is(n.node2.totalScore, 430);
});

test('a tie at the top is broken by the scheduler stream of --seed: reservoir sampling, deterministic', () => {
  const texts: Files = {
    nodes: node('node1', '8', '8Gi') + '---\n' + node('node2', '8', '8Gi'),
    pod: pod('p', [['1', '1Gi']]),
  };
  const seen = new Set<string>();
  for (let seed = 1; seed <= 12; seed++) {
    const e = run(texts, seed);
    assert.is(byName(e).node1.totalScore, byName(e).node2.totalScore);
    // selectHost: node1 is kept first; the second node tied replaces it when int(2) draws 0.
    const expected = new RngStream(seed, 'scheduler').int(2) === 0 ? 'node2' : 'node1';
    assert.is(e.selectedNode, expected, `seed ${seed}`);
    assert.is(run(texts, seed).selectedNode, e.selectedNode, 'same seed, same node');
    seen.add(expected);
  }
  assert.is(seen.size, 2, 'both nodes win under some seed');
});

test('filter reasons per node use upstream texts; the FitError message counts them', () => {
  const nodes = [
    node('tainted', '4', '4Gi', '  labels: {disk: ssd}\nspec:\n  taints: [{key: dedicated, value: gpu, effect: NoSchedule}]\n'),
    node('small', '500m', '256Mi', '  labels: {disk: ssd}\n'),
    node('hdd', '4', '4Gi', '  labels: {disk: hdd}\n'),
    node('cordoned', '4', '4Gi', '  labels: {disk: ssd}\nspec:\n  unschedulable: true\n'),
  ].join('---\n');
  const e = run({ nodes, pod: pod('p', [['1', '1Gi']], '  nodeSelector: {disk: ssd}\n') });
  const n = byName(e);
  assert.equal(n.tainted.reasons, ['node(s) had untolerated taint {dedicated: gpu}']);
  assert.equal(n.small.reasons, ['Insufficient cpu', 'Insufficient memory'], 'NodeResourcesFit reports every short resource');
  assert.equal(n.hdd.reasons, ["node(s) didn't match Pod's node affinity/selector"]);
  assert.equal(n.cordoned.reasons, ['node(s) were unschedulable']);
  for (const x of e.nodes) {
    assert.is(x.feasible, false);
    assert.is(x.totalScore, null);
  }
  assert.is(e.selectedNode, null);
  assert.is(
    e.message,
    "0/4 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable.",
  );
  // Every failure here is UnschedulableAndUnresolvable or a request over allocatable: preemption cannot help.
  assert.is(e.postFilter?.nominatedNode, null);
});

test('a metadata.name node affinity restricts the search (PreFilterResult): the other nodes carry its status', () => {
  const affinity = `  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchFields: [{key: metadata.name, operator: In, values: [b]}]
          - matchFields: [{key: metadata.name, operator: In, values: [c]}]
`;
  const e = run({ nodes: ['a', 'b', 'c'].map((n) => node(n, '4', '4Gi')).join('---\n'), pod: pod('p', [['1', '1Gi']], affinity) });
  const n = byName(e);
  assert.equal(n.a.reasons, ["node(s) didn't satisfy plugin(s) [NodeAffinity]"]);
  assert.is(n.b.feasible && n.c.feasible, true);
  assert.is(e.nodesVisited, 2, 'only the PreFilterResult nodes are searched');
  assert.is(e.numFeasibleNodesToFind, 2);
});

test('a feasible node next to infeasible ones: one feasible node is selected without scoring (upstream skips Score)', () => {
  const e = run({ nodes: node('a', '4', '4Gi') + '---\n' + node('b', '1', '1Gi'), pod: pod('p', [['2', '1Gi']]) });
  const n = byName(e);
  assert.is(e.selectedNode, 'a');
  assert.is(n.a.feasible, true);
  assert.equal(n.a.scores, {});
  assert.is(n.a.totalScore, null);
  assert.equal(n.b.reasons, ['Insufficient cpu']);
});

test('--config: MostAllocated with resource weights, plugin weights, the other score plugins disabled', () => {
  // most_allocated_test.go "nothing scheduled, resources requested, differently sized nodes" with resources
  // memory weight 2, cpu weight 1: node1 (75*1 + 50*2)/3 = 58, node2 (50*1 + 50*2)/3 = 50.
  const config = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - schedulerName: packer
    plugins:
      score:
        disabled: [{name: "*"}]
        enabled:
          - {name: NodeResourcesFit, weight: 5}
          - {name: TaintToleration, weight: 2}
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: MostAllocated
            resources: [{name: memory, weight: 2}, {name: cpu, weight: 1}]
`;
  const e = run({
    nodes: node('node1', '4000', '10000') + '---\n' + node('node2', '6000', '10000'),
    pod: pod('p', UPSTREAM_POD, '  schedulerName: packer\n'),
    config,
  });
  const n = byName(e);
  assert.equal(n.node1.scores, { TaintToleration: 100, NodeResourcesFit: 58 });
  assert.equal(n.node2.scores, { TaintToleration: 100, NodeResourcesFit: 50 });
  assert.is(n.node1.totalScore, 2 * 100 + 5 * 58);
  assert.is(n.node2.totalScore, 2 * 100 + 5 * 50);
  assert.is(e.selectedNode, 'node1');
  assert.is(e.schedulerName, 'packer');
});

test('a NodeList (items without kind, as the API returns them) and a List of nodes are read', () => {
  const nodeList = `apiVersion: v1
kind: NodeList
items:
  - metadata: {name: x}
    status: {allocatable: {cpu: "2", memory: 2Gi, pods: "110"}}
  - metadata: {name: y}
    status: {allocatable: {cpu: "4", memory: 2Gi, pods: "110"}}
`;
  const e = run({ nodes: nodeList, pod: pod('p', [['1', '1Gi']]) });
  assert.equal(
    e.nodes.map((x) => x.name),
    ['x', 'y'],
  );
  // LeastAllocated: x cpu (2000-1000)*100/2000 = 50, memory (2-1)/2 → 50 → 50; y cpu 75, memory 50 → 62.
  assert.is(byName(e).x.scores.NodeResourcesFit, 50);
  assert.is(byName(e).y.scores.NodeResourcesFit, 62);
});

test('percentageOfNodesToScore: from 100 nodes on only numFeasibleNodesToFind feasible nodes are scored', () => {
  // 120 nodes, adaptive default: 50 - 120/125 = 50 % → 60, raised to minFeasibleNodesToFind = 100.
  const nodes = Array.from({ length: 120 }, (_, i) => node(`n${String(i).padStart(3, '0')}`, '4', '4Gi')).join('---\n');
  const e = run({ nodes, pod: pod('p', [['1', '1Gi']]) });
  assert.is(e.numFeasibleNodesToFind, 100);
  assert.is(e.feasibleNodesKept, 100);
  assert.is(e.nodesVisited, 100);
  const scored = e.nodes.filter((x) => x.totalScore !== null);
  assert.is(scored.length, 100);
  assert.is(scored[0].name, 'n000', 'the search starts at the first node');
  assert.ok(
    e.nodes.every((x) => x.feasible),
    'every node is reported feasible, also the 20 the search did not reach',
  );
});

test('default topology spreading selects by the Services in --pods (helper.DefaultSelector)', () => {
  // podtopologyspread scoring.go with the System defaults (hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway);
  // no zone labels, so only the hostname constraint scores: raw = round(count × w + maxSkew - 1), w = ln(2 nodes + 2):
  //   node1 (2 matching pods) round(2.77 + 2) = 5, node2 round(0 + 2) = 2
  //   → normalized 100 × (max + min - s) / max: node1 100 × 2 / 5 = 40, node2 100 × 5 / 5 = 100.
  const nodes =
    node('node1', '8', '8Gi', '  labels: {kubernetes.io/hostname: node1}\n') +
    '---\n' +
    node('node2', '8', '8Gi', '  labels: {kubernetes.io/hostname: node2}\n');
  const labeled = (name: string, nodeName: string): string =>
    pod(name, [['100m', '100Mi']], '', nodeName).replace(`name: ${name}\n`, `name: ${name}\n  labels: {app: web}\n`);
  const service = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n';
  const existing = [labeled('w1', 'node1'), labeled('w2', 'node1')].join('---\n');
  const withService = byName(run({ nodes, pod: labeled('new', ''), pods: `${existing}---\n${service}` }));
  assert.is(withService.node1.scores.PodTopologySpread, 40);
  assert.is(withService.node2.scores.PodTopologySpread, 100);
  const without = byName(run({ nodes, pod: labeled('new', ''), pods: existing }));
  assert.is(without.node1.scores.PodTopologySpread, 0, 'no Service or ReplicaSet selects the pod: PreScore skips');
  assert.is(without.node2.scores.PodTopologySpread, 0);
});

test('no node fits and the pod has a higher priority: DefaultPreemption names the node and its victims', () => {
  const existing = pod('low', [['3', '1Gi']], '  priority: 0\n', 'only');
  const e = run({ nodes: node('only', '4', '4Gi'), pod: pod('high', [['2', '1Gi']], '  priority: 1000\n'), pods: existing });
  assert.is(e.selectedNode, null);
  assert.equal(byName(e).only.reasons, ['Insufficient cpu']);
  assert.equal(e.postFilter, { plugin: 'DefaultPreemption', nominatedNode: 'only', victims: ['default/low'], candidates: 1 });
  const never = run({
    nodes: node('only', '4', '4Gi'),
    pod: pod('high', [['2', '1Gi']], '  priority: 1000\n  preemptionPolicy: Never\n'),
    pods: existing,
  });
  assert.is(never.postFilter, undefined, 'preemptionPolicy Never: no PostFilter');
});

test('placement policies in explain: FirstFit favours the first node in NodeTree order', () => {
  const config = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - plugins:
      score:
        disabled: [{name: "*"}]
        enabled: [{name: FirstFit}]
`;
  // NodeTree order interleaves zones: a (z1), c (z2), b (z1); b is the roomiest, a does not fit.
  const nodes = [
    node('a', '1', '1Gi', '  labels: {topology.kubernetes.io/zone: z1}\n'),
    node('b', '8', '8Gi', '  labels: {topology.kubernetes.io/zone: z1}\n'),
    node('c', '4', '4Gi', '  labels: {topology.kubernetes.io/zone: z2}\n'),
  ].join('---\n');
  const e = run({ nodes, pod: pod('p', [['2', '1Gi']]), config });
  assert.is(e.selectedNode, 'c');
  assert.equal(byName(e).c.scores, { FirstFit: 100 });
  assert.equal(byName(e).b.scores, { FirstFit: 0 });
});

test('bad inputs: InputErrors naming the file, line and field', () => {
  const good = { nodes: node('n', '1', '1Gi'), pod: pod('p', [['1', '1Gi']]) };
  let err = expectInputError(() => readExplainInput(files({ ...good, nodes: good.pod })));
  assert.match(err.message, /nodes\.yaml:1:1: expected Node manifests in this file, got a Pod/);
  err = expectInputError(() => readExplainInput(files({ ...good, pod: good.pod + '---\n' + pod('q', [['1', '1Gi']]) })));
  assert.match(err.message, /pod\.yaml: expected exactly one Pod manifest \(the pod to schedule\), found 2/);
  err = expectInputError(() => readExplainInput(files({ ...good, pods: pod('x', [['1', '1Gi']], '', 'nowhere') })));
  assert.match(err.message, /pods\.yaml:\d+:\d+: spec\.nodeName: no node "nowhere"/);
  err = expectInputError(() => readExplainInput(files({ ...good, pods: pod('x', [['1', '1Gi']]) })));
  assert.match(err.message, /spec\.nodeName: expected the node the pod runs on/);
  err = expectInputError(() => readExplainInput(files({ ...good, nodes: good.nodes + '---\n' + good.nodes })));
  assert.match(err.message, /metadata\.name: duplicate node "n"/);
  err = expectInputError(() => readExplainInput(files({ ...good, pod: pod('p', [['1', '1Gi']], '  schedulerName: other\n') })));
  assert.match(err.message, /spec\.schedulerName: no scheduler profile "other" in the default configuration; it has "default-scheduler"/);
  err = expectInputError(() => readExplainInput(files({ ...good, pod: pod('p', [['lots', '1Gi']]) })));
  assert.match(err.message, /pod\.yaml:\d+:\d+: spec\.containers\[0\]\.resources\.requests\.cpu: /);
});

function kubesim(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('CLI: JSON on stdout, exit 0; a bad manifest exits 2 with the position and no stack trace', () => {
  const f = files({ nodes: node('node1', '4000', '10000') + '---\n' + node('node2', '6000', '10000'), pod: pod('p', UPSTREAM_POD) });
  const ok = kubesim('explain', '--nodes', f.nodes, '--pod', f.pod, '--seed', '3');
  assert.is(ok.code, 0, ok.stderr);
  const out = JSON.parse(ok.stdout) as Explanation;
  assert.is(out.selectedNode, 'node2');
  assert.is(out.seed, 3);
  assert.equal(Object.keys(out).slice(0, 4), ['pod', 'schedulerName', 'seed', 'selectedNode']);
  const bad = files({
    nodes: 'apiVersion: v1\nkind: Node\nmetadata: {name: n}\nstatus:\n  allocatable: {cpu: many}\n',
    pod: pod('p', [['1', '1Gi']]),
  });
  const r = kubesim('explain', '--nodes', bad.nodes, '--pod', bad.pod);
  assert.is(r.code, 2);
  assert.match(r.stderr, /^kubesim: error: .*nodes\.yaml:5:\d+: status\.allocatable\.cpu: /);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  assert.is(r.stdout, '');
  const missing = kubesim('explain', '--nodes', join(tmpdir(), 'no-such-kubesim-file.yaml'), '--pod', bad.pod);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /no-such-kubesim-file\.yaml: cannot read file: no such file or directory/);
  const seed = kubesim('explain', '--nodes', f.nodes, '--pod', f.pod, '--seed', '-1');
  assert.is(seed.code, 2);
  assert.match(seed.stderr, /--seed: expected an integer from 0 to 4294967295/);
});

test('a pod with PersistentVolumeClaims: storage objects in the dump are skipped and the volume plugins are said not to be evaluated', () => {
  const claimPod = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: i}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]
`;
  const pvc = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`;
  const input = readExplainInput(files({ nodes: node('n', '1', '1Gi'), pod: claimPod, pods: pvc }));
  assert.ok(input.fieldNotes.some((n) => n.includes('explain does not evaluate VolumeBinding, VolumeZone and VolumeRestrictions')));
  assert.is(input.unused.note('not used by explain'), 'not used by explain: PersistentVolumeClaim (1 object)');
});

test.run();
