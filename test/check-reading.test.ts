// `check` reads what kubectl reads, and puts each finding on the line of its field.
import { join } from 'node:path';
import t from 'tap';
import { run } from './helpers/cli.js';

interface JsonReport {
  objects: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    verdict: string;
    findings: Array<{ rule: string; path: string; line: number; severity: string }>;
  }>;
  errors: unknown[];
}

/** The 1-based line of the first line of `text` that is exactly `wanted`. */
function lineOf(text: string, wanted: string): number {
  const index = text.split('\n').indexOf(wanted);
  if (index < 0) throw new Error(`no line ${JSON.stringify(wanted)}`);
  return index + 1;
}

const typedList = `apiVersion: v1
kind: ServiceList
items:
  - metadata: {name: web}
    spec:
      type: LoadBalancer
      ports: [{port: 80}]
  - metadata: {name: internal}
    spec:
      ports: [{port: 8080}]
`;

const duplicated = `apiVersion: v1
kind: Pod
metadata:
  name: twice
spec:
  hostNetwork: true
  containers:
    - name: app
      image: nginx
  hostNetwork: false
`;

const retired = `apiVersion: extensions/v1beta1
kind: DaemonSet
metadata:
  name: agent
spec:
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
        - name: agent
          image: example.org/agent:1
`;

t.test('a typed List, a repeated key and an extensions/v1beta1 DaemonSet: every object judged, exit 1', async (t) => {
  const dir = t.testdir({ 'list.yaml': typedList, 'duplicated.yaml': duplicated, 'retired.yaml': retired });
  const result = await run([
    'check',
    '-f',
    join(dir, 'list.yaml'),
    '-f',
    join(dir, 'duplicated.yaml'),
    '-f',
    join(dir, 'retired.yaml'),
    '-o',
    'json',
  ]);
  t.equal(result.code, 1, 'the DaemonSet is denied; nothing is unreadable');
  const report = JSON.parse(result.stdout) as JsonReport;
  t.same(report.errors, []);
  const summary = report.objects.map((o) => ({
    object: `${o.apiVersion} ${o.kind}/${o.name}`,
    verdict: o.verdict,
    findings: o.findings.map((f) => `${f.severity} ${f.rule} ${f.path} @${f.line}`),
  }));
  t.same(summary, [
    { object: 'v1 Service/web', verdict: 'admitted', findings: [] },
    { object: 'v1 Service/internal', verdict: 'admitted', findings: [] },
    {
      object: 'v1 Pod/twice',
      verdict: 'admitted',
      findings: [`warn manifest spec.hostNetwork @${lineOf(duplicated, '  hostNetwork: false')}`],
    },
    {
      object: 'apps/v1 DaemonSet/agent',
      verdict: 'denied',
      findings: [`deny daemonset kind @${lineOf(retired, 'kind: DaemonSet')}`, `warn manifest apiVersion @1`],
    },
  ]);
  const text = await run(['check', '-f', join(dir, 'duplicated.yaml'), '-f', join(dir, 'retired.yaml')]);
  t.match(
    text.stdout,
    /duplicated\.yaml:10 Pod\/default\/twice warning manifest: spec\.hostNetwork: is written twice; the API server keeps the later value/,
  );
  t.match(
    text.stdout,
    /retired\.yaml:1 DaemonSet\/default\/agent warning manifest: apiVersion: extensions\/v1beta1 DaemonSet is not served since Kubernetes 1\.16; judged as apps\/v1/,
  );
});

const multiDocument = `# two objects, findings deep inside each
apiVersion: v1
kind: Pod
metadata:
  name: first
spec:
  containers:
    - name: app
      image: nginx
      ports:
        - containerPort: 10250
  volumes:
    - name: logs
      hostPath:
        path: /var/log
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: second
spec:
  selector:
    matchLabels: {app: second}
  template:
    metadata:
      labels: {app: second}
      annotations:
        k8s.aliyun.com/eci-spot-strategy: Cheapest
    spec:
      hostPID: true
      containers:
        - name: app
          image: nginx
          securityContext:
            capabilities:
              add: [NET_RAW]
`;

t.test('GitHub output puts each finding on the line of its field, in every document', async (t) => {
  const dir = t.testdir({ 'apps.yaml': multiDocument });
  const result = await run(['check', '-f', join(dir, 'apps.yaml'), '-o', 'github']);
  t.equal(result.code, 1);
  const commands = result.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const match = /^::(error|warning) file=[^,]+,line=(\d+),title=eci-admission ([^:]+)::/.exec(line);
      return match ? `${match[1]} ${match[3]} @${match[2]}` : line;
    });
  t.same(commands, [
    `error host-path @${lineOf(multiDocument, '      hostPath:')}`,
    `error reserved-port @${lineOf(multiDocument, '        - containerPort: 10250')}`,
    `error host-pid @${lineOf(multiDocument, '      hostPID: true')}`,
    `error eci-annotations @${lineOf(multiDocument, '        k8s.aliyun.com/eci-spot-strategy: Cheapest')}`,
    `warning capabilities @${lineOf(multiDocument, '              add: [NET_RAW]')}`,
  ]);
});

t.test("ECI annotations on a CronJob's own metadata: a warning on their line, saying where to move them", async (t) => {
  const cronJob = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  annotations:
    k8s.aliyun.com/eci-spot-strategy: Cheapest
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: app, image: busybox}]
`;
  const dir = t.testdir({ 'cronjob.yaml': cronJob });
  const result = await run(['check', '-f', join(dir, 'cronjob.yaml'), '--output', 'json']);
  t.equal(result.code, 0, 'a warning: the value is never read, so it cannot be refused');
  const [object] = (JSON.parse(result.stdout) as JsonReport).objects;
  t.same(
    object?.findings.map((f) => [f.rule, f.severity, f.path, f.line]),
    [
      [
        'annotation-placement',
        'warn',
        'metadata.annotations["k8s.aliyun.com/eci-spot-strategy"]',
        lineOf(cronJob, '    k8s.aliyun.com/eci-spot-strategy: Cheapest'),
      ],
    ],
  );
  t.match(
    result.stdout,
    'move it to spec.jobTemplate.spec.template.metadata.annotations[\\"k8s.aliyun.com/eci-spot-strategy\\"]',
  );
});

t.test('--mode audit lists what it would record, and fails nothing', async (t) => {
  const dir = t.testdir({ 'agent.yaml': retired });
  const file = join(dir, 'agent.yaml');
  const text = await run(['check', '-f', file, '--mode', 'audit']);
  t.equal(text.code, 0);
  t.match(text.stdout, /DaemonSet\/default\/agent audit daemonset: kind: /);
  t.match(text.stdout, '1 admitted, 0 denied');
  t.match(text.stdout, '1 audited');
  const json = JSON.parse(
    (await run(['check', '-f', file, '--mode', 'audit', '--output', 'json'])).stdout,
  ) as JsonReport & { summary: { audited: number } };
  t.same(
    json.objects[0]?.findings.filter((f) => f.severity === 'audit').map((f) => f.rule),
    ['daemonset'],
  );
  t.equal(json.summary.audited, 1);
});
