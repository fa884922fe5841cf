// 2. kubectl apply --dry-run=server through the webhook: refusals carry every finding with its
// field path (the same findings `eci-admission check` gives offline), warnings reach kubectl.
import type { KubernetesObject } from '@kubernetes/client-node';
import t from 'tap';
import { kubectlObjects, namespace } from '../helpers.js';
import { run } from '../../test/helpers/cli.js';

const ns = 'e2e-denials';
const meta = (name: string) => ({ name, namespace: ns });
const template = (spec: Record<string, unknown>, annotations?: Record<string, string>) => ({
  metadata: { labels: { app: 'x' }, ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
});
const selector = { matchLabels: { app: 'x' } };

const refused: Array<[string, KubernetesObject, string[]]> = [
  [
    'a DaemonSet',
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('agent'),
      spec: { selector, template: template({}) },
    } as KubernetesObject,
    ['daemonset: kind: DaemonSets are not supported on ECI'],
  ],
  [
    'a Deployment with a hostPath volume',
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('logs'),
      spec: { selector, template: template({ volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] }) },
    } as KubernetesObject,
    ['host-path: spec.template.spec.volumes[0].hostPath (logs)'],
  ],
  [
    'a NodePort Service',
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('web'),
      spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80 }] },
    } as KubernetesObject,
    ['node-port: spec.type'],
  ],
  [
    'a CronJob with a privileged init container',
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('nightly'),
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          spec: {
            template: template({
              restartPolicy: 'Never',
              initContainers: [{ name: 'setup', image: 'busybox', securityContext: { privileged: true } }],
            }),
          },
        },
      },
    } as KubernetesObject,
    ['privileged: spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.privileged (setup)'],
  ],
];

t.before(async () => void (await namespace(ns)));

for (const [what, object, paths] of refused) {
  t.test(`${what} is refused with every finding and its field path`, async (t) => {
    const result = await kubectlObjects(['apply', '--dry-run=server'], object);
    t.equal(result.code, 1, 'kubectl exits 1');
    t.match(result.stderr, 'admission webhook "validate.eci-admission.svc" denied the request');
    for (const path of paths) t.match(result.stderr, path);
    // Every finding `check` reports offline reaches kubectl whole.
    const offline = await run(['check', '-f', '-', '--output', 'json'], { stdin: JSON.stringify(object) });
    const findings = (
      JSON.parse(offline.stdout) as { objects: Array<{ findings: Array<{ message: string; severity: string }> }> }
    ).objects.flatMap((o) => o.findings);
    t.ok(findings.length > 0, 'check finds something too');
    for (const finding of findings.filter((f) => f.severity === 'deny'))
      t.match(result.stderr, finding.message, 'a finding of check is in the denial');
  });
}

t.test('a clean Deployment is accepted unchanged; warnings reach kubectl as Warning:', async (t) => {
  const clean = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('web'),
    spec: { selector, template: template({}) },
  } as KubernetesObject;
  const accepted = await kubectlObjects(['apply', '--dry-run=server', '-o', 'json'], clean);
  t.equal(accepted.code, 0, accepted.stderr);
  t.notMatch(accepted.stderr, 'Warning:');
  const stored = JSON.parse(accepted.stdout) as {
    spec: { template: { metadata: unknown; spec: { nodeSelector?: unknown; tolerations?: unknown } } };
  };
  t.same(stored.spec.template.metadata, { labels: { app: 'x' } }, 'nothing added to the template metadata');
  t.notOk(stored.spec.template.spec.nodeSelector);
  t.notOk(stored.spec.template.spec.tolerations);

  const ignoredPrice = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('priced'),
    spec: { selector, template: template({}, { 'k8s.aliyun.com/eci-spot-price-limit': '0.25' }) },
  } as KubernetesObject;
  const warned = await kubectlObjects(['apply', '--dry-run=server'], ignoredPrice);
  t.equal(warned.code, 0, warned.stderr);
  t.match(
    warned.stderr,
    /^Warning: eci-annotations: spec\.template\.metadata\.annotations\["k8s\.aliyun\.com\/eci-spot-price-limit"\]/m,
  );
});
