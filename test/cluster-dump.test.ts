/**
 * Bring your own cluster: any kind is accepted (modeled, stored as "not modeled", or refused by name), and a
 * `kubectl get ... -A -o yaml` dump is the starting state of a run (scenario/importers/cluster-dump.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import type { KubeObject, Pod } from '../engine/api/objects.js';
import { kindDisposition, MODELED_KINDS, NotModeled, REFUSED_KINDS } from '../engine/scenario/kinds.js';
import { parseManifests } from '../engine/scenario/manifests.js';
import { loadScenario, parseScenario } from '../engine/scenario/load.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import { runOnce } from '../engine/run.js';
import { readExplainInput } from '../engine/explain/inputs.js';
import { expectInputError, REPO } from './helpers.js';

const DUMP = join(REPO, 'test', 'fixtures', 'clusters', 'cluster-dump.yaml');

function parse(text: string, notModeled?: NotModeled): KubeObject[] {
  return parseYamlDocuments(text, 'in.yaml').flatMap((d) => parseManifests(d, notModeled));
}

test('kinds: modeled, refused and not modeled are disjoint; unknown kinds (custom resources) are not modeled', () => {
  for (const k of MODELED_KINDS.keys()) assert.not.ok(REFUSED_KINDS.has(k), k);
  assert.is(kindDisposition('Pod').disposition, 'modeled');
  assert.is(kindDisposition('RuntimeClass').disposition, 'refused');
  assert.is(kindDisposition('PersistentVolumeClaim').disposition, 'modeled');
  assert.is(kindDisposition('ConfigMap').disposition, 'notModeled');
  assert.is(kindDisposition('Certificate').disposition, 'notModeled');
});

test('objects of kinds not modeled are stored and listed once with their counts', () => {
  const nm = new NotModeled();
  const objs = parse(
    `apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: shop}
---
apiVersion: v1
kind: Secret
metadata: {name: s}
---
apiVersion: v1
kind: ConfigMapList
items:
- metadata: {name: b}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: tls}
spec: {secretName: tls}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: c, image: i}]}
`,
    nm,
  );
  assert.equal(
    objs.map((o) => o.kind),
    ['Pod'],
  );
  assert.equal(nm.objects[0], { kind: 'ConfigMap', apiVersion: 'v1', namespace: 'shop', name: 'a' });
  assert.is(nm.note(), 'not modeled: ConfigMap (2 objects), Secret (1 object), Certificate (1 object) (stored, no effect on scheduling)');
  assert.is(new NotModeled().note(), null);
});

test('a kind that would change placements is refused with file, line, path and what it does', () => {
  const e = expectInputError(() =>
    parse(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: ds}\n',
      new NotModeled(),
    ),
  );
  assert.is(e.file, 'in.yaml');
  assert.is(e.line, 6);
  assert.is(e.path, 'kind');
  assert.match(
    e.detail,
    'kind RuntimeClass is not modeled by kubesim and would change placements (its overhead and scheduling constraints are added to pods)',
  );
  const pvc = expectInputError(() =>
    parse(
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: node.k8s.io/v1\n  kind: RuntimeClass\n  metadata: {name: data}\n',
      new NotModeled(),
    ),
  );
  assert.is(pvc.path, 'items[0].kind');
  assert.match(pvc.detail, 'kind RuntimeClass is not modeled');
  // Where a modeled object is expected (no collector given), a ConfigMap is an error too.
  assert.match(
    expectInputError(() => parse('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n')).detail,
    'unsupported kind "ConfigMap" here',
  );
});

const dumpScenario = (extra = ''): string => `
name: dump
duration: 2m
cluster:
  import: ${DUMP}
${extra}`;

function loadDump(extra = ''): ReturnType<typeof parseScenario> {
  const [f] = parseYamlDocuments(dumpScenario(extra), join(REPO, 'test', 'fixtures', 'dump-scenario.yaml'));
  return parseScenario(f, join(REPO, 'test', 'fixtures', 'dump-scenario.yaml'));
}

test('a kubectl dump: nodes with their status, running pods bound, finished pods left out, owners kept by name', () => {
  const { scenario, warnings } = loadDump();
  assert.equal(
    scenario.nodePools.map((p) => [p.name, p.count, p.namedSingle]),
    [
      ['worker-a', 1, true],
      ['worker-b', 1, true],
    ],
  );
  const a = scenario.nodePools[0].template;
  assert.is(a.status.allocatable.cpu, 3920);
  assert.is(a.status.allocatable.pods, 58);
  assert.is(a.metadata.labels['topology.kubernetes.io/zone'], 'eu-west-1a');
  assert.equal(a.status.images[0].names[1], 'registry.example.com/shop/web:1.4.2');
  const objs = scenario.objects.map((o) => o.object);
  assert.equal(
    objs.map((o) => `${o.kind}/${o.metadata.name}`),
    ['Pod/web-6d4cf56db6-k2x7p', 'Pod/web-6d4cf56db6-9wq4n', 'Pod/debug-shell', 'ReplicaSet/web-6d4cf56db6', 'Deployment/web'],
  );
  const web = objs[0] as Pod;
  assert.is(web.spec.nodeName, 'worker-a');
  assert.equal(web.metadata.ownerReferences, [{ kind: 'ReplicaSet', name: 'web-6d4cf56db6', uid: '', controller: true }]);
  assert.is(web.metadata.uid, '');
  assert.equal(objs[3].metadata.ownerReferences, [{ kind: 'Deployment', name: 'web', uid: '', controller: true }]);
  assert.equal(objs[2].metadata.ownerReferences, []);
  // The Succeeded Job pod is left out (finished). One line for the kinds not modeled, one for the finished pod; nothing about uids, managedFields or status.
  assert.equal(warnings, [
    'not modeled: Namespace (1 object), ServiceAccount (1 object), ConfigMap (2 objects) (stored, no effect on scheduling)',
    'cluster dump: 1 finished pod (Succeeded or Failed) left out of the starting state',
  ]);
});

test('a dump run: the running pods stay on their nodes, the Deployment adopts its ReplicaSet and creates no pod', () => {
  const { scenario } = loadDump(`workloads:
  - at: 30s
    manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: newcomer, namespace: shop}
      spec:
        containers: [{name: c, image: "registry.example.com/shop/web:1.4.2", resources: {requests: {cpu: "3"}}}]`);
  const replicaSets = new Set<string>();
  const r = runOnce(scenario, scenario.policies[0], 1, {
    observe: (_t, _type, o) => void (o.kind === 'ReplicaSet' && replicaSets.add(o.metadata.name)),
  });
  const pods = r.store.pods;
  const byName = new Map(pods.map((p) => [p.metadata.name, p]));
  assert.is(byName.get('web-6d4cf56db6-k2x7p')?.spec.nodeName, 'worker-a');
  assert.is(byName.get('web-6d4cf56db6-9wq4n')?.spec.nodeName, 'worker-b');
  assert.is(byName.get('debug-shell')?.spec.nodeName, 'worker-a');
  for (const n of ['web-6d4cf56db6-k2x7p', 'web-6d4cf56db6-9wq4n', 'debug-shell']) assert.is(byName.get(n)?.status.phase, 'Running', n);
  // No web pod beyond the two of the dump: the ReplicaSet counts them, the Deployment finds its ReplicaSet by template.
  assert.is(pods.filter((p) => p.metadata.labels.app === 'web').length, 2);
  assert.equal([...replicaSets], ['web-6d4cf56db6']);
  // worker-a has 3920m − 500m − 250m = 3170m free, worker-b 3420m: the 3-cpu newcomer fits on either.
  assert.ok(['worker-a', 'worker-b'].includes(byName.get('newcomer')?.spec.nodeName ?? ''));
  const { scenario: full } = loadDump(`workloads:
  - at: 30s
    manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: too-big, namespace: shop}
      spec:
        containers: [{name: c, image: i, resources: {requests: {cpu: "3500m"}}}]`);
  const r2 = runOnce(full, full.policies[0], 1);
  assert.is(
    r2.store.pods.find((p) => p.metadata.name === 'too-big')?.spec.nodeName,
    '',
    'the dump pods hold their requests: 3.5 cpu fits nowhere',
  );
});

test('a dump whose pod runs on a node it does not contain is an error naming the pod and the node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-dump-'));
  const dump = join(dir, 'dump.yaml');
  writeFileSync(dump, readFileSync(DUMP, 'utf8').replace('nodeName: worker-b', 'nodeName: worker-z'));
  const [f] = parseYamlDocuments('cluster:\n  import: dump.yaml\n', join(dir, 's.yaml'));
  const e = expectInputError(() => parseScenario(f, join(dir, 's.yaml')));
  assert.is(e.file, dump);
  assert.is(e.path, 'items[9].spec.nodeName');
  assert.match(e.detail, 'pod shop/web-6d4cf56db6-9wq4n runs on node "worker-z", which is neither in the dump nor');
  // A kind the dump may not hold is refused the same way.
  writeFileSync(
    dump,
    `${readFileSync(DUMP, 'utf8')}- apiVersion: v1\n  kind: ReplicationController\n  metadata: {name: web, namespace: shop}\n`,
  );
  assert.match(
    expectInputError(() => parseScenario(f, join(dir, 's.yaml'))).detail,
    'kind ReplicationController is not modeled by kubesim and would change placements',
  );
});

test('kubesim run --cluster: the dump is added to the own nodes and workloads of the scenario', () => {
  const { scenario } = loadScenario(join(REPO, 'test', 'fixtures', 'small.yaml'), { clusterDumps: [DUMP] });
  assert.ok(scenario.nodePools.some((p) => p.name === 'worker-a'));
  assert.ok(scenario.nodePools.some((p) => p.name === 'small'));
  assert.is(scenario.objects[0].object.metadata.name, 'web-6d4cf56db6-k2x7p');
});

test('explain reads a dump as both the nodes and the existing pods, skipping the kinds it does not model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-dump-'));
  writeFileSync(join(dir, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n');
  const input = readExplainInput({ nodes: DUMP, pods: DUMP, pod: join(dir, 'pod.yaml') });
  assert.equal(
    input.nodes.map((n) => n.metadata.name),
    ['worker-a', 'worker-b'],
  );
  assert.equal(
    input.existing.map((p) => p.metadata.name),
    ['web-6d4cf56db6-k2x7p', 'web-6d4cf56db6-9wq4n', 'debug-shell'],
  );
  assert.match(input.notModeled.note() ?? '', 'ConfigMap (2 objects)');
  assert.is(input.unused.note('not used by explain'), 'not used by explain: Deployment (1 object)');
  assert.equal(
    input.replicaSets.map((r) => r.metadata.name),
    ['web-6d4cf56db6'],
  );
});

test('kubesim run --cluster on worker threads: one "not modeled" line, dump pods in pods.csv; a refused kind exits 2', () => {
  const cli = join(REPO, 'dist', 'engine', 'cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-dump-'));
  writeFileSync(join(dir, 's.yaml'), 'name: s\nduration: 1m\ncluster: {}\npolicies:\n  - name: a\n  - name: b\n');
  const r = spawnSync(
    process.execPath,
    [cli, 'run', join(dir, 's.yaml'), '--cluster', DUMP, '--out', join(dir, 'out'), '--jobs', '2', '--pods-csv'],
    { encoding: 'utf8' },
  );
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr.split('\n').filter((l) => l.includes('not modeled:')).length, 1, r.stderr);
  assert.match(r.stdout, /s: 2 nodes/);
  const pods = readFileSync(join(dir, 'out', 'pods.csv'), 'utf8');
  assert.match(pods, /web-6d4cf56db6-k2x7p,[^\n]*worker-a/);
  writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler\nmetadata: {name: web}\n');
  const bad = spawnSync(process.execPath, [cli, 'validate', join(dir, 's.yaml'), '--cluster', join(dir, 'bad.yaml')], { encoding: 'utf8' });
  assert.is(bad.status, 2);
  assert.match(
    bad.stderr,
    /bad\.yaml:2:7: kind: kind VerticalPodAutoscaler is not modeled by kubesim and would change placements \(it changes pod requests\)/,
  );
  assert.not.match(bad.stderr, /at .*\.js/);
});

test.run();
