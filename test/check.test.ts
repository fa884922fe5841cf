// `eci-admission check` and `explain` as a user runs them: the built CLI on real files.
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Ajv2020 } from 'ajv/dist/2020.js';
import jsonpatch from 'fast-json-patch';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import t from 'tap';
import { stringify } from 'yaml';
import { readSchema } from '../lib/json-schema/files.js';
import { run } from './helpers/cli.js';
import { daemonSet, kubectlCreate, pod, reviewFor } from './helpers/objects.js';
import { responseOf, startServer } from './helpers/server.js';

const yamlOf = (...objects: object[]) => objects.map((object) => stringify(object)).join('---\n');
const deployment = kubectlCreate('deployment', 'web', '--image=nginx');
const job = kubectlCreate('job', 'once', '--image=busybox');
const nodePort = kubectlCreate('service', 'nodeport', 'np', '--tcp=80:8080');
const loadBalancer = kubectlCreate('service', 'loadbalancer', 'lb', '--tcp=80:8080');
/** The line of the NodePort Service's `spec.type`, where its finding must land. */
const nodePortTypeLine = yamlOf(nodePort).split('\n').indexOf('  type: NodePort') + 1;

interface JsonReport {
  summary: Record<string, number>;
  objects: Array<{
    file: string;
    line: number;
    kind: string;
    name: string;
    /** None for a cluster-scoped object. */
    namespace?: string;
    verdict: string;
    findings: Array<{ rule: string; path: string }>;
    patch: jsonpatch.Operation[];
  }>;
  errors: Array<{ file: string; line: number; message: string }>;
}

t.test('exit 0 when everything made by kubectl is admitted, 1 on a denial', async (t) => {
  const dir = t.testdir({ 'ok.yaml': yamlOf(deployment, job, loadBalancer), 'np.yaml': yamlOf(nodePort) });
  const ok = await run(['check', '-f', join(dir, 'ok.yaml')]);
  t.equal(ok.code, 0, ok.stdout);
  t.match(ok.stdout, /3 objects: 3 admitted, 0 denied/);
  const denied = await run(['check', '-f', join(dir, 'ok.yaml'), '-f', join(dir, 'np.yaml')]);
  t.equal(denied.code, 1);
  t.match(denied.stdout, new RegExp(`np\\.yaml:${nodePortTypeLine} Service/default/np error node-port: spec\\.type: `));
});

t.test('multi-document files, List kinds, folders and stdin', async (t) => {
  const list = { apiVersion: 'v1', kind: 'List', items: [pod({ hostNetwork: true }), loadBalancer] };
  const dir = t.testdir({
    apps: {
      'multi.yaml': `# comment\n${yamlOf(deployment, daemonSet())}`,
      nested: { 'list.json': JSON.stringify(list) },
      'notes.txt': 'not a manifest',
    },
  });
  const result = await run(['check', '-f', join(dir, 'apps'), '-o', 'json']);
  t.equal(result.code, 1);
  const report = JSON.parse(result.stdout) as JsonReport;
  t.same(
    report.objects.map((o) => [o.file.slice(dir.length + 1), o.line, o.kind, o.verdict]),
    [
      ['apps/multi.yaml', 2, 'Deployment', 'admitted'],
      ['apps/multi.yaml', 2 + stringify(deployment).split('\n').length, 'DaemonSet', 'denied'],
      ['apps/nested/list.json', 1, 'Pod', 'denied'],
      ['apps/nested/list.json', 1, 'Service', 'admitted'],
    ],
  );
  const piped = await run(['check', '-f', '-'], { stdin: yamlOf(nodePort) });
  t.equal(piped.code, 1);
  t.match(piped.stdout, new RegExp(`^<stdin>:${nodePortTypeLine} Service/default/np error node-port`));
});

t.test('bad input exits 2, names the file and line, and the other files are still checked', async (t) => {
  const dir = t.testdir({
    'broken.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: x\n',
    'np.yaml': yamlOf(nodePort),
    'scalar.yaml': '42\n',
  });
  const result = await run([
    'check',
    '-f',
    join(dir, 'broken.yaml'),
    '-f',
    join(dir, 'np.yaml'),
    '-f',
    join(dir, 'scalar.yaml'),
    '-f',
    join(dir, 'missing.yaml'),
  ]);
  t.equal(result.code, 2);
  t.match(result.stdout, /broken\.yaml:\d+ error .+/);
  t.match(
    result.stdout,
    new RegExp(`np\\.yaml:${nodePortTypeLine} Service/default/np error node-port`),
    'the good file is still reported',
  );
  t.match(result.stdout, /scalar\.yaml:1 error not a Kubernetes object/);
  t.match(result.stdout, /missing\.yaml error cannot read/);
  t.equal((await run(['check'])).code, 2, 'no -f');
  t.equal((await run(['check', '-f', 'x', '--output', 'xml'])).code, 2, 'unknown output');
});

t.test('warnings print but fail only with --strict', async (t) => {
  const raw = pod({
    containers: [{ name: 'ping', image: 'busybox', securityContext: { capabilities: { add: ['NET_RAW'] } } }],
  });
  const dir = t.testdir({ 'raw.yaml': yamlOf(raw) });
  const relaxed = await run(['check', '-f', join(dir, 'raw.yaml')]);
  t.equal(relaxed.code, 0);
  t.match(relaxed.stdout, /warning capabilities:/);
  t.equal((await run(['check', '-f', join(dir, 'raw.yaml'), '--strict'])).code, 1);
});

t.test('objects go through the webhook routing of deploy/: kube-system and unrelated kinds are not sent', async (t) => {
  const system = { ...daemonSet(), metadata: { name: 'agent', namespace: 'kube-system' } };
  const dir = t.testdir({ 'x.yaml': yamlOf(system, kubectlCreate('configmap', 'settings', '--from-literal=a=b')) });
  const result = await run(['check', '-f', join(dir, 'x.yaml'), '-o', 'json']);
  t.equal(result.code, 0);
  t.same(
    (JSON.parse(result.stdout) as JsonReport).objects.map((o) => o.verdict),
    ['skipped', 'skipped'],
  );
});

t.test('namespaces in the input and --namespace-labels drive hybrid routing and selectors', async (t) => {
  const profile = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'eci-profile', namespace: 'kube-system' },
    data: {
      selectors: JSON.stringify([
        {
          name: 'batch-spot',
          namespaceSelector: { matchLabels: { team: 'batch' } },
          effect: { annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo' } },
        },
      ]),
    },
  };
  const burst = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'burst', labels: { 'alibabacloud.com/eci': 'true' } },
  };
  const inBurst = { ...daemonSet(), metadata: { name: 'agent', namespace: 'burst' } };
  const inBatch = { ...pod({ hostNetwork: true }), metadata: { name: 'p', namespace: 'batch' } };
  const dir = t.testdir({ 'profile.yaml': yamlOf(profile), 'apps.yaml': yamlOf(burst, inBurst, inBatch, daemonSet()) });
  const args = [
    'check',
    '-f',
    join(dir, 'apps.yaml'),
    '--cluster-mode',
    'hybrid',
    '--profile',
    join(dir, 'profile.yaml'),
    '-o',
    'json',
  ];
  const report = JSON.parse((await run([...args, '--namespace-labels', 'batch=team=batch'])).stdout) as JsonReport;
  t.same(
    report.objects.map((o) => `${o.kind}/${o.namespace ?? '(none)'} ${o.verdict}`),
    ['Namespace/(none) skipped', 'DaemonSet/burst denied', 'Pod/batch denied', 'DaemonSet/default admitted'],
  );
  t.ok(
    report.objects[2]?.patch.some((op) => op.path === '/metadata/annotations'),
    'the selector applies in batch',
  );
  const withoutLabels = JSON.parse((await run(args)).stdout) as JsonReport;
  t.equal(withoutLabels.objects[2]?.verdict, 'admitted', 'batch is not ECI-bound without its labels');
  const bad = await run(['check', '-f', join(dir, 'apps.yaml'), '--namespace-labels', 'batch']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--namespace-labels: expected NAMESPACE=KEY=VALUE/);
});

t.test('JSON matches its schema, JUnit parses as XML, GitHub lines are workflow commands', async (t) => {
  const dir = t.testdir({
    'all.yaml': yamlOf(
      deployment,
      daemonSet({ hostNetwork: true }),
      nodePort,
      pod({ containers: [{ name: 'p', image: 'x', securityContext: { capabilities: { add: ['NET_RAW'] } } }] }),
    ),
    'bad.yaml': 'a: [\n',
  });
  const files = ['-f', join(dir, 'all.yaml'), '-f', join(dir, 'bad.yaml')];
  const json = await run(['check', ...files, '-o', 'json']);
  const validate = new Ajv2020({ allErrors: true }).compile(readSchema('check-report'));
  t.ok(validate(JSON.parse(json.stdout)), JSON.stringify(validate.errors));
  t.match(JSON.parse(json.stdout), { summary: { objects: 4, admitted: 2, denied: 2, warnings: 1, errors: 1 } });

  const junit = await run(['check', ...files, '-o', 'junit']);
  t.equal(XMLValidator.validate(junit.stdout), true);
  const xml = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => ['testcase', 'failure'].includes(name),
  }).parse(junit.stdout);
  const suite = xml.testsuites.testsuite;
  t.equal(suite['@_tests'], '5');
  t.equal(suite['@_failures'], '2');
  t.equal(suite['@_errors'], '1');
  t.same(
    suite.testcase.map((c: { failure?: unknown[] }) => c.failure?.length ?? 0),
    [0, 2, 1, 0, 0],
  );

  const github = await run(['check', ...files, '-o', 'github']);
  const lines = github.stdout.trim().split('\n');
  t.equal(lines.length, 5, '2 + 1 denials, 1 warning, 1 input error');
  for (const line of lines) t.match(line, /^::(error|warning) file=[^,:]+,line=\d+,title=[^,:]+::\S.*$/);
  t.equal(json.code, 2);
  t.equal(github.code, 2);
});

t.test('check and the running server agree on every verdict', async (t) => {
  const objects: KubernetesObject[] = [
    deployment,
    job,
    nodePort,
    loadBalancer,
    daemonSet(),
    pod({ hostNetwork: true }),
    pod({ volumes: [{ name: 'data', emptyDir: {} }] }),
    pod({}, { 'alibabacloud.com/eci': 'true' }),
    {
      ...pod({}),
      metadata: {
        name: 'annotated',
        namespace: 'default',
        annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'Cheapest' },
      },
    },
    kubectlCreate('cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *'),
  ];
  const dir = t.testdir({ 'all.yaml': yamlOf(...objects) });
  const report = JSON.parse((await run(['check', '-f', join(dir, 'all.yaml'), '-o', 'json'])).stdout) as JsonReport;
  const server = await startServer(t);
  for (const [index, object] of objects.entries()) {
    const expected = report.objects[index]!;
    // As the API server does: /mutate first for pods, then /validate on the patched object.
    const mutation = responseOf(await server.post('/mutate', reviewFor(object)));
    const patch = mutation.patch
      ? (JSON.parse(Buffer.from(mutation.patch, 'base64').toString()) as jsonpatch.Operation[])
      : [];
    t.same(patch, expected.patch, `${object.kind}/${object.metadata?.name}: same patch`);
    const stored = jsonpatch.applyPatch(structuredClone(object), patch, true).newDocument;
    const validation = responseOf(await server.post('/validate', reviewFor(stored)));
    t.equal(
      validation.allowed ? 'admitted' : 'denied',
      expected.verdict,
      `${object.kind}/${object.metadata?.name}: same verdict`,
    );
  }
  t.same(
    report.objects.map((o) => o.verdict).filter((v) => v === 'denied').length,
    4,
    'the set has denials to agree on',
  );
});

t.test('explain says which selectors matched, what is injected, why it goes to ECI, and the findings', async (t) => {
  const profile = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'eci-profile', namespace: 'kube-system' },
    data: {
      selectors: JSON.stringify([
        {
          name: 'batch-spot',
          namespaceSelector: { matchLabels: { team: 'batch' } },
          effect: { annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo' } },
        },
        { name: 'web', objectSelector: { matchLabels: { app: 'web' } }, effect: { labels: { tier: 'front' } } },
      ]),
    },
  };
  const batch = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'batch', labels: { team: 'batch' } } };
  const job = { ...kubectlCreate('job', 'etl', '--image=busybox'), metadata: { name: 'etl', namespace: 'batch' } };
  const dir = t.testdir({ 'profile.yaml': yamlOf(profile), 'apps.yaml': yamlOf(batch, job) });
  const result = await run([
    'explain',
    '-f',
    join(dir, 'apps.yaml'),
    '--profile',
    join(dir, 'profile.yaml'),
    '--cluster-mode',
    'hybrid',
  ]);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /Job\/batch\/etl \(.*apps\.yaml:\d+\)/);
  t.match(result.stdout, /runs on ECI: yes, because the eci-profile selector batch-spot sends it there/);
  t.match(result.stdout, /batch-spot: matched: its namespaceSelector and objectSelector both match/);
  t.match(result.stdout, /web: not matched: its objectSelector does not match the pod labels/);
  t.match(result.stdout, /\+ metadata\.annotations\["k8s\.aliyun\.com\/eci-spot-strategy"\]: "SpotAsPriceGo"/);
  t.match(result.stdout, /\+ spec\.nodeSelector\.type: "virtual-kubelet"/);
  t.match(result.stdout, /findings:\n {4}none/);
});

t.test('explain says what it judges for every kind, pods or not', async (t) => {
  const dir = t.testdir({
    'objects.yaml': yamlOf(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { type: 'NodePort', ports: [{ port: 80 }] },
      },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'shop' }, data: { a: 'b' } },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'acs-profile', namespace: 'kube-system' },
        data: { selectors: '[{"name": ""}]' },
      },
      {
        apiVersion: 'scheduling.alibabacloud.com/v1alpha1',
        kind: 'ResourcePolicy',
        metadata: { name: 'burst', namespace: 'shop' },
        spec: { units: [{ resource: 'eci' }] },
      },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token', namespace: 'shop' } },
    ),
  });
  const result = await run(['explain', '-f', join(dir, 'objects.yaml'), '--cluster-mode', 'hybrid']);
  t.equal(result.code, 0, result.stderr);
  const block = (header: string) => result.stdout.split('\n\n').find((part) => part.startsWith(header)) ?? '';
  t.match(
    block('Service/shop/web'),
    /judged by: node-port, session-affinity, acs-service \(in a hybrid cluster, only when its namespace sends pods to ECI\)\n {2}findings:\n {4}none/,
  );
  t.match(
    block('ConfigMap/shop/app-config'),
    /not judged: of ConfigMaps only the profiles are \(kube-system\/acs-profile, kube-system\/eci-profile\)/,
  );
  t.match(
    block('ConfigMap/kube-system/acs-profile'),
    /judged by: eci-profile\n {2}findings:\n {4}deny eci-profile: data\.selectors\[0\]\.name/,
  );
  t.match(block('ResourcePolicy/shop/burst'), /judged by: resource-policy\n {2}findings:\n {4}none/);
  t.match(block('Secret/shop/token'), /not judged: eci-admission has no rule for Secret objects/);
});
