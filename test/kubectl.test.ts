import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Deployment, KubeObject, Pod, Service } from '../engine/api/objects.js';
import { InputError } from '../engine/scenario/input-error.js';
import { parseKubectl, splitCommandLine } from '../engine/scenario/kubectl.js';
import { parseYamlDocuments, type Field } from '../engine/scenario/yaml-field.js';
import { expectInputError } from './helpers.js';

/** The scenario field holding the command, on line 3, so errors carry a real position. */
function field(): Field {
  return parseYamlDocuments('workloads:\n  - name: w\n    kubectl: placeholder\n', 'scenario.yaml')[0]
    .get('workloads')
    .items()[0]
    .get('kubectl');
}

function run(command: string): KubeObject[] {
  return parseKubectl(command, field());
}

function inputError(command: string): InputError {
  return expectInputError(() => run(command));
}

const EMPTY_META = { uid: '', annotations: {}, ownerReferences: [], creationTimestamp: 0, resourceVersion: 0 };

test('kubectl run nginx --image=nginx creates the pod run.go would', () => {
  const objs = run('kubectl run nginx --image=nginx');
  assert.is(objs.length, 1);
  const pod = objs[0] as Pod;
  assert.equal(pod, {
    kind: 'Pod',
    metadata: { name: 'nginx', namespace: 'default', labels: { run: 'nginx' }, ...EMPTY_META },
    spec: {
      // The API server defaults an untagged image's pull policy to Always (SetDefaults_Container).
      containers: [{ name: 'nginx', image: 'nginx', requests: {}, limits: {}, ports: [], imagePullPolicy: 'Always' }],
      initContainers: [],
      nodeName: '',
      schedulerName: 'default-scheduler',
      priorityClassName: '',
      priority: 0,
      nodeSelector: {},
      tolerations: [],
      restartPolicy: 'Always',
      overhead: {},
      terminationGracePeriodSeconds: 30,
    },
    status: { phase: 'Pending', ready: false },
  });
  // The leading "kubectl" is optional.
  assert.equal(run('run nginx --image=nginx'), objs);
});

test('kubectl run flags: labels, namespace, port, restart, annotations, both flag forms', () => {
  const [pod] = run(
    `kubectl -n shop run web --image registry.k8s.io/nginx:1.27 --labels="app=web,tier=fe" --port 8080 --restart=Never --annotations owner=me --env=A=1 --image-pull-policy=IfNotPresent -- --verbose`,
  ) as Pod[];
  assert.is(pod.metadata.namespace, 'shop');
  assert.equal(pod.metadata.labels, { app: 'web', tier: 'fe' });
  assert.equal(pod.metadata.annotations, { owner: 'me' });
  assert.is(pod.spec.restartPolicy, 'Never');
  assert.equal(pod.spec.containers, [
    {
      name: 'web',
      image: 'registry.k8s.io/nginx:1.27',
      requests: {},
      limits: {},
      ports: [{ containerPort: 8080, hostPort: 0, protocol: 'TCP' }],
    },
  ]);
  const [other] = run("kubectl run web --image='nginx' --namespace=team-a -l app=x") as Pod[];
  assert.is(other.metadata.namespace, 'team-a');
  assert.equal(other.metadata.labels, { app: 'x' });
  const [short] = run('kubectl run web --image=nginx -nteam-b') as Pod[];
  assert.is(short.metadata.namespace, 'team-b');
});

test('kubectl run --expose also creates a Service selecting the pod', () => {
  const objs = run('kubectl run web --image=nginx --port=80 --expose');
  assert.equal(
    objs.map((o) => o.kind),
    ['Pod', 'Service'],
  );
  const svc = objs[1] as Service;
  assert.equal(svc.metadata, { name: 'web', namespace: 'default', labels: {}, ...EMPTY_META });
  assert.equal(svc.spec, { selector: { run: 'web' }, ports: [{ name: '', port: 80, protocol: 'TCP' }] });
  assert.match(inputError('kubectl run web --image=nginx --expose').detail, '--port must be set when exposing a service');
});

test('kubectl run refuses removed, interactive and unknown flags with an explanation', () => {
  const e = inputError('kubectl run nginx --image=nginx --requests=cpu=100m');
  assert.match(e.message, 'scenario.yaml:3:14: workloads[0].kubectl: kubectl run: --requests was removed from kubectl run');
  assert.match(inputError('kubectl run nginx --image=nginx --limits cpu=1').detail, '--limits was removed');
  assert.match(inputError('kubectl run nginx --image=nginx --replicas=3').detail, 'kubectl create deployment');
  assert.match(inputError('kubectl run -it nginx --image=busybox').detail, 'interactive terminal');
  assert.match(inputError('kubectl run nginx --imag=nginx').detail, 'unknown flag --imag; did you mean --image?');
  assert.match(inputError('kubectl run nginx --image=nginx -x').detail, 'unknown flag -x');
  assert.match(inputError('kubectl run nginx --image=nginx --dry-run=client').detail, '--dry-run would create nothing');
});

test('kubectl run validation', () => {
  assert.match(inputError('kubectl run --image=nginx').detail, 'NAME is required');
  assert.match(inputError('kubectl run nginx').detail, '--image is required');
  assert.match(inputError('kubectl run nginx --image').detail, 'flag needs an argument: --image');
  assert.match(inputError('kubectl run nginx --image=Nginx').detail, 'invalid image name "Nginx"');
  assert.match(inputError('kubectl run Web --image=nginx').detail, 'invalid name "Web"');
  assert.match(inputError('kubectl run web --image=nginx --port=http').detail, '--port must be an integer between 1 and 65535');
  assert.match(inputError('kubectl run web --image=nginx --restart=always').detail, 'invalid restart policy "always"');
  assert.match(inputError('kubectl run web --image=nginx --labels=app').detail, 'unexpected label spec "app"');
  assert.match(inputError('kubectl run web --image=nginx --image-pull-policy=Sometimes').detail, 'invalid image pull policy');
  assert.match(inputError('kubectl run web --image=nginx -n Bad_NS').detail, 'invalid namespace "Bad_NS"');
  assert.match(inputError('kubectl run web --image=nginx --expose=maybe').detail, 'expected true or false');
});

test('kubectl create deployment creates the deployment create_deployment.go would', () => {
  const [d] = run('kubectl create deployment my-dep --image=docker.io/library/nginx:1.27 --replicas=3 --port=8080 -n prod') as Deployment[];
  const labels = { app: 'my-dep' };
  assert.equal(d.metadata, { name: 'my-dep', namespace: 'prod', labels, ...EMPTY_META });
  assert.is(d.spec.replicas, 3);
  assert.equal(d.spec.selector, { matchLabels: labels, matchExpressions: [] });
  assert.equal(d.spec.template.labels, labels);
  assert.equal(d.spec.template.spec.containers, [
    {
      name: 'nginx',
      image: 'docker.io/library/nginx:1.27',
      requests: {},
      limits: {},
      ports: [{ containerPort: 8080, hostPort: 0, protocol: 'TCP' }],
    },
  ]);
  assert.is(d.spec.template.spec.restartPolicy, 'Always');
  assert.is(d.spec.template.spec.schedulerName, 'default-scheduler');

  const [basic] = run('kubectl create deploy web --image busybox') as Deployment[];
  assert.is(basic.spec.replicas, 1);
  assert.is(basic.metadata.namespace, 'default');
  assert.equal(basic.spec.template.spec.containers[0].ports, []);
});

test('kubectl create deployment: several images, digests, sanitized names', () => {
  const [d] = run(
    'kubectl create deployment multi --image=nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef,redis:7 -r 2',
  ) as Deployment[];
  assert.equal(
    d.spec.template.spec.containers.map((c) => c.name),
    ['nginx', 'redis'],
  );
  assert.is(d.spec.replicas, 2);
  // Upstream appends a random suffix to sanitized names; ours is derived from the inputs, so it is stable.
  const name = (run('kubectl create deployment a --image=my_app.v2:1')[0] as Deployment).spec.template.spec.containers[0].name;
  assert.match(name, /^my-app-v2-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.is((run('kubectl create deployment a --image=my_app.v2:1')[0] as Deployment).spec.template.spec.containers[0].name, name);
  assert.match(inputError('kubectl create deployment a --image=nginx:1 --image=nginx:2').detail, 'same container name "nginx"');
  assert.match(
    inputError('kubectl create deployment a --image=nginx,redis -- sleep 1').detail,
    'cannot specify multiple --image options and command',
  );
});

test('kubectl create deployment validation and unsupported commands', () => {
  assert.match(inputError('kubectl create deployment --image=nginx').detail, 'exactly one NAME is required, got 0');
  assert.match(inputError('kubectl create deployment a b --image=nginx').detail, 'exactly one NAME is required, got 2');
  assert.match(inputError('kubectl create deployment a').detail, '--image is required');
  assert.match(inputError('kubectl create deployment a --image=nginx --replicas=-1').detail, '--replicas must be an integer between 0');
  assert.match(inputError('kubectl create deployment a --image=nginx --labels=x=y').detail, 'unknown flag --labels');
  assert.match(inputError('kubectl create service clusterip web').detail, 'only "create deployment" is supported');
  assert.match(inputError('kubectl apply -f web.yaml').detail, 'unsupported kubectl command "apply"');
  assert.match(inputError('kubectl').detail, 'missing subcommand');
  assert.match(inputError('kubectl --image=x run a').detail, 'expected a subcommand before --image=x');
});

test('command-line splitting follows the shell for quotes and refuses shell syntax', () => {
  const f = field();
  assert.equal(splitCommandLine(`a 'b c' "d \\"e\\"" f\\ g  h\\\n i`, f), ['a', 'b c', 'd "e"', 'f g', 'h', 'i']);
  assert.equal(splitCommandLine(`--labels="a=b,c=d" ''`, f), ['--labels=a=b,c=d', '']);
  assert.match(inputError('kubectl run a --image=nginx | cat').detail, 'unsupported shell syntax "|"');
  assert.match(inputError('kubectl run a --image="nginx').detail, 'unterminated double quote');
  assert.match(inputError("kubectl run a --image='nginx").detail, 'unterminated single quote');
  assert.match(inputError('kubectl run a --image="$IMAGE"').detail, 'shell expansion');
});

test.run();
