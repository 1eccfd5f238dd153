import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Deployment, KubeObject, Node, Pod, PriorityClass, ReplicaSet, Service } from '../engine/api/objects.js';
import { parseManifests, parsePodSpec, parsePodTemplate } from '../engine/scenario/manifests.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import { expectInputError } from './helpers.js';

function parse(text: string, file = 'm.yaml'): KubeObject[] {
  return parseYamlDocuments(text, file).flatMap((d) => parseManifests(d));
}

function one<K extends KubeObject['kind']>(text: string, kind: K): Extract<KubeObject, { kind: K }> {
  const objs = parse(text);
  assert.is(objs.length, 1);
  assert.is(objs[0].kind, kind);
  return objs[0] as Extract<KubeObject, { kind: K }>;
}

const inputError = expectInputError;

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: app
    image: nginx:1.27
    resources:
      limits: {cpu: 500m, memory: 256Mi}
      requests: {cpu: 250m}
    ports:
    - containerPort: 80
    livenessProbe: {httpGet: {path: /, port: 80}}
  tolerations:
  - key: dedicated
    value: gpu
  - operator: Exists
status:
  phase: Running
`;

test('Pod: API server defaulting and ignored unknown fields', () => {
  const pod: Pod = one(POD, 'Pod');
  assert.equal(pod.metadata, {
    name: 'web',
    namespace: 'default',
    uid: '',
    labels: { app: 'web' },
    annotations: {},
    ownerReferences: [],
    creationTimestamp: 0,
    resourceVersion: 0,
  });
  const [c] = pod.spec.containers;
  // A limit without a request defaults the request to the limit; an explicit request is kept.
  assert.equal(c.requests, { cpu: 250, memory: 256 * 1024 ** 2 });
  assert.equal(c.limits, { cpu: 500, memory: 256 * 1024 ** 2 });
  assert.equal(c.ports, [{ containerPort: 80, hostPort: 0, protocol: 'TCP' }]);
  assert.is(c.restartPolicy, undefined);
  assert.is(pod.spec.schedulerName, 'default-scheduler');
  assert.is(pod.spec.restartPolicy, 'Always');
  assert.is(pod.spec.terminationGracePeriodSeconds, 30);
  assert.is(pod.spec.priority, 0);
  assert.is(pod.spec.priorityClassName, '');
  assert.is(pod.spec.nodeName, '');
  assert.equal(pod.spec.overhead, {});
  assert.equal(pod.spec.tolerations, [
    { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: '' },
    { key: '', operator: 'Exists', value: '', effect: '' },
  ]);
  // A pasted status is ignored: the simulated pod starts Pending.
  assert.equal(pod.status, { phase: 'Pending', ready: false });
});

test('Pod: a bad cpu quantity reports its line and field path', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: app
    image: nginx
    resources:
      requests: {cpu: abc}
`;
  const e = inputError(() => parse(text, 'pod.yaml'));
  assert.match(e.message, 'pod.yaml:9:');
  assert.is(e.path, 'spec.containers[0].resources.requests.cpu');
  assert.is(e.detail, 'expected a CPU quantity such as "500m" or "2", got "abc"');
});

test('Deployment: errors in the template carry the full path and the line in later documents', () => {
  const text = `apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx
        resources:
          limits:
            memory: -1Gi
`;
  const e = inputError(() => parse(text, 'dep.yaml'));
  assert.is(e.line, 19);
  assert.is(e.path, 'spec.template.spec.containers[0].resources.limits.memory');
  assert.match(e.detail, 'non-negative');
});

test('Pod spec fields: priority, nodeSelector, overhead, hostNetwork ports, sidecars', () => {
  const pod: Pod = one(
    `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: team-a}
spec:
  priorityClassName: high
  priority: 1000
  schedulerName: my-scheduler
  restartPolicy: Never
  terminationGracePeriodSeconds: 5
  nodeName: node-1
  nodeSelector: {disktype: ssd, "kubernetes.io/os": linux}
  overhead: {cpu: 250m, memory: 120Mi}
  hostNetwork: true
  initContainers:
  - name: log-shipper
    image: fluent-bit
    restartPolicy: Always
  - name: migrate
    image: migrate
  containers:
  - name: app
    image: app
    ports: [{containerPort: 8080, protocol: UDP}]
`,
    'Pod',
  );
  assert.is(pod.metadata.namespace, 'team-a');
  assert.is(pod.spec.priorityClassName, 'high');
  assert.is(pod.spec.priority, 1000);
  assert.is(pod.spec.schedulerName, 'my-scheduler');
  assert.is(pod.spec.restartPolicy, 'Never');
  assert.is(pod.spec.terminationGracePeriodSeconds, 5);
  assert.is(pod.spec.nodeName, 'node-1');
  assert.equal(pod.spec.nodeSelector, { disktype: 'ssd', 'kubernetes.io/os': 'linux' });
  assert.equal(pod.spec.overhead, { cpu: 250, memory: 120 * 1024 ** 2 });
  assert.equal(pod.spec.containers[0].ports, [{ containerPort: 8080, hostPort: 8080, protocol: 'UDP' }]);
  assert.is(pod.spec.initContainers[0].restartPolicy, 'Always');
  assert.is(pod.spec.initContainers[1].restartPolicy, undefined);
});

test('Pod spec validation errors', () => {
  const spec = (body: string) => () => parseYamlDocuments(body, 's.yaml').map((d) => parsePodSpec(d));
  assert.is(inputError(spec('containers: []\n')).detail, 'expected at least one container');
  assert.match(inputError(spec('containers:\n- name: a\n')).message, 'containers[0].image: required field is missing');
  assert.match(inputError(spec('containers:\n- {name: a, image: x}\n- {name: a, image: y}\n')).detail, 'duplicate container name "a"');
  assert.match(inputError(spec('containers: [{name: A_b, image: x}]\n')).detail, 'expected a container name');
  const overLimit = inputError(spec('containers: [{name: a, image: x, resources: {requests: {cpu: 2}, limits: {cpu: 1}}}]\n'));
  assert.is(overLimit.path, 'containers[0].resources.requests.cpu');
  assert.is(overLimit.detail, 'expected a request ≤ the cpu limit of 1000m, got 2000m');
  assert.match(inputError(spec('containers: [{name: a, image: x}]\nrestartPolicy: always\n')).detail, 'did you mean "Always"?');
  assert.match(
    inputError(spec('containers: [{name: a, image: x}]\ntolerations: [{value: x}]\n')).detail,
    'operator must be Exists when key is empty',
  );
  assert.match(
    inputError(
      spec('containers: [{name: a, image: x}]\ntolerations: [{key: k, operator: Exists, effect: NoSchedule, tolerationSeconds: 5}]\n'),
    ).detail,
    'tolerationSeconds requires effect NoExecute',
  );
  assert.match(
    inputError(spec('containers: [{name: a, image: x, ports: [{containerPort: 70000}]}]\n')).detail,
    'expected an integer between 1 and 65535, got 70000',
  );
  assert.match(
    inputError(spec('initContainers: [{name: i, image: x, restartPolicy: Never}]\ncontainers: [{name: a, image: x}]\n')).detail,
    'expected "Always"',
  );
  assert.match(inputError(() => parsePodSpec(parseYamlDocuments('x: 1\n', 's.yaml')[0].get('spec'))).detail, 'expected a pod spec');
});

test('Node: allocatable from capacity, pods default 110, images, taints', () => {
  const node: Node = one(
    `apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels: {topology.kubernetes.io/zone: a}
spec:
  unschedulable: true
  taints:
  - {key: dedicated, value: gpu, effect: NoSchedule}
status:
  capacity: {cpu: "4", memory: 16Gi, ephemeral-storage: 100Gi}
  images:
  - names: [docker.io/library/nginx:1.27, nginx:1.27]
    sizeBytes: 70000000
  conditions: [{type: Ready, status: "False"}]
`,
    'Node',
  );
  assert.is(node.metadata.namespace, '');
  assert.equal(node.metadata.labels, { 'topology.kubernetes.io/zone': 'a' });
  assert.equal(node.status.capacity, { cpu: 4000, memory: 16 * 1024 ** 3, 'ephemeral-storage': 100 * 1024 ** 3, pods: 110 });
  assert.equal(node.status.allocatable, node.status.capacity);
  assert.equal(node.status.images, [{ names: ['docker.io/library/nginx:1.27', 'nginx:1.27'], sizeBytes: 70_000_000 }]);
  assert.equal(node.spec, { unschedulable: true, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
  assert.is(node.status.ready, true);
});

test('Node: allocatable kept apart from capacity; capacity from allocatable; pods copied across', () => {
  const both: Node = one(
    'apiVersion: v1\nkind: Node\nmetadata: {name: n}\nstatus:\n  capacity: {cpu: 8, pods: 250}\n  allocatable: {cpu: 7500m}\n',
    'Node',
  );
  assert.equal(both.status.capacity, { cpu: 8000, pods: 250 });
  assert.equal(both.status.allocatable, { cpu: 7500, pods: 250 });
  const allocOnly: Node = one('apiVersion: v1\nkind: Node\nmetadata: {name: n}\nstatus: {allocatable: {cpu: 2}}\n', 'Node');
  assert.equal(allocOnly.status.capacity, { cpu: 2000, pods: 110 });
  const bare: Node = one('apiVersion: v1\nkind: Node\nmetadata: {name: n}\n', 'Node');
  assert.equal(bare.status.allocatable, { pods: 110 });
  const e = inputError(() => parse('apiVersion: v1\nkind: Node\nmetadata: {name: n}\nspec:\n  taints: [{key: k, effect: NoScheduel}]\n'));
  assert.is(e.path, 'spec.taints[0].effect');
  assert.match(e.detail, 'did you mean "NoSchedule"?');
});

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  selector:
    matchLabels: {app: web}
    matchExpressions:
    - {key: tier, operator: In, values: [frontend, edge]}
  template:
    metadata:
      labels: {app: web, tier: frontend}
      annotations: {note: x}
    spec:
      containers:
      - name: app
        image: nginx
`;

test('Deployment: replicas default 1, selector and template', () => {
  const d: Deployment = one(DEPLOYMENT, 'Deployment');
  assert.is(d.metadata.namespace, 'shop');
  assert.is(d.spec.replicas, 1);
  assert.equal(d.spec.selector, {
    matchLabels: { app: 'web' },
    matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'edge'] }],
  });
  assert.equal(d.spec.template.labels, { app: 'web', tier: 'frontend' });
  assert.equal(d.spec.template.annotations, { note: 'x' });
  assert.is(d.spec.template.spec.schedulerName, 'default-scheduler');
  const rs: ReplicaSet = one(
    DEPLOYMENT.replace('kind: Deployment', 'kind: ReplicaSet').replace('spec:\n  selector', 'spec:\n  replicas: 4\n  selector'),
    'ReplicaSet',
  );
  assert.is(rs.spec.replicas, 4);
});

test('Deployment: selector that does not match the template labels is refused', () => {
  const e = inputError(() => parse(DEPLOYMENT.replace('tier: frontend}', 'tier: backend}'), 'dep.yaml'));
  assert.is(e.path, 'spec.template.metadata.labels');
  assert.is(e.line, 14);
  assert.match(e.detail, 'selector does not match template labels');
  assert.match(e.detail, 'tier in (frontend,edge)');
  const missing = inputError(() => parse(DEPLOYMENT.replace(/ {2}selector:\n.*\n.*\n.*\n/, '')));
  assert.is(missing.path, 'spec.selector');
  assert.match(missing.detail, 'expected a label selector');
  const empty = inputError(() => parse(DEPLOYMENT.replace(/ {2}selector:\n.*\n.*\n.*\n/, '  selector: {}\n')));
  assert.match(empty.detail, 'empty selector is invalid for a Deployment');
  const restart = inputError(() => parse(DEPLOYMENT.replace('      containers:', '      restartPolicy: Never\n      containers:')));
  assert.is(restart.path, 'spec.template.spec.restartPolicy');
  const badOp = inputError(() => parse(DEPLOYMENT.replace('operator: In, values: [frontend, edge]', 'operator: Exists, values: [x]')));
  assert.match(badOp.detail, 'expected no values for operator Exists');
});

test('parsePodTemplate refuses a template in another namespace', () => {
  const [f] = parseYamlDocuments('metadata: {namespace: other, labels: {a: b}}\nspec: {containers: [{name: c, image: i}]}\n', 't.yaml');
  assert.match(inputError(() => parsePodTemplate(f, 'default')).detail, 'the template names "other"');
  const [g] = parseYamlDocuments('metadata: {labels: {a: "1"}}\nspec: {containers: [{name: c, image: i}]}\n', 't.yaml');
  const t = parsePodTemplate(g, 'default');
  assert.equal(t.labels, { a: '1' });
  assert.equal(t.annotations, {});
  assert.is(t.spec.containers[0].name, 'c');
});

test('Service and PriorityClass', () => {
  const svc: Service = one(
    'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports:\n  - {name: http, port: 80, targetPort: 8080}\n  - {name: dns, port: 53, protocol: UDP}\n',
    'Service',
  );
  assert.equal(svc.spec, {
    selector: { app: 'web' },
    ports: [
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ],
  });
  const unnamed = inputError(() =>
    parse('apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}, {port: 81}]\n'),
  );
  assert.is(unnamed.path, 'spec.ports[0].name');
  assert.match(inputError(() => parse('apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\n')).detail, 'DNS-1035');

  const pc: PriorityClass = one(
    'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n',
    'PriorityClass',
  );
  assert.equal(pc, {
    kind: 'PriorityClass',
    metadata: {
      name: 'high',
      namespace: '',
      uid: '',
      labels: {},
      annotations: {},
      ownerReferences: [],
      creationTimestamp: 0,
      resourceVersion: 0,
    },
    value: 1000,
    globalDefault: false,
    preemptionPolicy: 'PreemptLowerPriority',
  });
  const never: PriorityClass = one(
    'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: batch}\nvalue: -5\nglobalDefault: true\npreemptionPolicy: Never\n',
    'PriorityClass',
  );
  assert.equal([never.value, never.globalDefault, never.preemptionPolicy], [-5, true, 'Never']);
  const pcErr = (body: string) => inputError(() => parse(`apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\n${body}`));
  assert.match(
    pcErr('metadata: {name: x}\n').message,
    'value: required field is missing; expected an integer between -2147483648 and 2147483647',
  );
  assert.match(pcErr('metadata: {name: x}\nvalue: 3000000000\n').detail, 'expected an integer between');
  assert.match(pcErr('metadata: {name: x}\nvalue: 1000000001\n').detail, 'highest user-definable priority');
  assert.match(pcErr('metadata: {name: system-mine}\nvalue: 1\n').detail, 'reserved');
  const sys: PriorityClass = one(
    'apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: system-node-critical}\nvalue: 2000001000\n',
    'PriorityClass',
  );
  assert.is(sys.value, 2_000_001_000);
});

test('List and <Kind>List documents', () => {
  const objs = parse(`apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a}
  spec: {containers: [{name: c, image: i}]}
- apiVersion: scheduling.k8s.io/v1
  kind: PriorityClass
  metadata: {name: high}
  value: 10
`);
  assert.equal(
    objs.map((o) => `${o.kind}/${o.metadata.name}`),
    ['Pod/a', 'PriorityClass/high'],
  );
  // Items of a typed list, as the raw API returns them, carry no kind or apiVersion.
  const pods = parse(`apiVersion: v1
kind: PodList
items:
- metadata: {name: a}
  spec: {containers: [{name: c, image: i}]}
- metadata: {name: b}
  spec: {containers: [{name: c, image: i}]}
`);
  assert.equal(
    pods.map((o) => `${o.kind}/${o.metadata.name}`),
    ['Pod/a', 'Pod/b'],
  );
  const e = inputError(() =>
    parse('apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ReplicationController\n  metadata: {name: x}\n'),
  );
  assert.is(e.path, 'items[0].kind');
  assert.is(e.line, 5);
  assert.equal(parse('apiVersion: v1\nkind: List\nitems: []\n'), []);
  assert.match(
    inputError(() => parse('apiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscalerList\nitems:\n- metadata: {name: c}\n')).detail,
    'kind VerticalPodAutoscaler is not modeled by kubesim and would change placements',
  );
});

test('refused kinds and wrong apiVersions name what is expected', () => {
  const e = inputError(() => parse('apiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler\nmetadata: {name: j}\n', 'vpa.yaml'));
  assert.is(e.message.split(': kind VerticalPodAutoscaler')[0], 'vpa.yaml:2:7: kind');
  assert.is(
    e.detail,
    'kind VerticalPodAutoscaler is not modeled by kubesim and would change placements (it changes pod requests); remove it to simulate without it',
  );
  // Without a collector for kinds not modeled (a field that expects one object), a ConfigMap names what is supported.
  assert.match(
    inputError(() => parse('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n')).detail,
    'unsupported kind "ConfigMap" here; expected one of Node (v1), Pod (v1), Deployment (apps/v1), ReplicaSet (apps/v1), Service (v1), PriorityClass (scheduling.k8s.io/v1), Job (batch/v1)',
  );
  const v = inputError(() => parse('apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: d}\n'));
  assert.is(v.path, 'apiVersion');
  assert.is(v.detail, 'expected apiVersion "apps/v1" for kind Deployment, got "extensions/v1beta1"');
  assert.match(inputError(() => parse('- a\n- b\n')).detail, 'expected a Kubernetes object');
  assert.match(
    inputError(() => parse('apiVersion: v1\nkind: Pod\nmetadata: {generateName: web-}\n')).detail,
    'generateName is not supported',
  );
  assert.match(inputError(() => parse('apiVersion: v1\nkind: Pod\nmetadata: {name: Web}\n')).detail, 'DNS-1123 subdomain');
  const label = inputError(() => parse('apiVersion: v1\nkind: Pod\nmetadata: {name: w, labels: {"bad key!": x}}\n'));
  assert.is(label.path, 'metadata.labels["bad key!"]');
  assert.match(label.detail, 'invalid label key');
});

test('Job: SetDefaults_Job (1/1, work-queue when only parallelism), backoffLimit 6, restartPolicy must not be Always', () => {
  const job = (spec: string) => `apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
${spec}
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
`;
  const a = one(job('  backoffLimit: 3'), 'Job');
  assert.equal([a.spec.parallelism, a.spec.completions, a.spec.backoffLimit], [1, 1, 3]);
  assert.is(a.spec.template.labels['batch.kubernetes.io/job-name'], 'j');
  const wq = one(job('  parallelism: 4'), 'Job');
  assert.equal([wq.spec.parallelism, wq.spec.completions, wq.spec.backoffLimit], [4, null, 6]);
  const e = expectInputError(() => parse(job('  completions: 2').replace('restartPolicy: Never', 'restartPolicy: Always')));
  assert.is(e.path, 'spec.template.spec.restartPolicy');
  assert.match(e.detail, /"Never" or "OnFailure"/);
});

test.run();
