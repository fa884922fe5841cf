// 8. With the webhook down, each failurePolicy of deploy/ holds: pods and workloads are admitted
// (Ignore), a ResourcePolicy write is refused (Fail).
import t from 'tap';
import { kubectlObjects, namespace, pod } from '../helpers.js';
import { startWebhook, stopWebhook, webhookArgs } from '../webhook.js';

const ns = 'e2e-down';
const daemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: ns },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'busybox' }] } },
  },
};
const resourcePolicy = {
  apiVersion: 'scheduling.alibabacloud.com/v1alpha1',
  kind: 'ResourcePolicy',
  metadata: { name: 'burst', namespace: ns },
  spec: { selector: { app: 'web' }, strategy: 'prefer', units: [{ resource: 'ecs' }, { resource: 'eci' }] },
};

t.test('with the webhook up: the DaemonSet is refused and the ResourcePolicy accepted', async (t) => {
  await namespace(ns);
  t.equal((await kubectlObjects(['create', '--dry-run=server'], daemonSet as never)).code, 1);
  const accepted = await kubectlObjects(['create', '--dry-run=server'], resourcePolicy as never);
  t.equal(accepted.code, 0, accepted.stderr);
});

t.test('with the webhook down: Ignore admits pods and workloads, Fail refuses ResourcePolicies', async (t) => {
  const args = webhookArgs();
  await stopWebhook();
  t.teardown(() => startWebhook(args).then(() => undefined));
  const admitted = await kubectlObjects(['create', '--dry-run=server'], daemonSet as never);
  t.equal(admitted.code, 0, `DaemonSet: ${admitted.stderr}`);
  const podAdmitted = await kubectlObjects(['create', '--dry-run=server'], pod('web', ns, {}, { hostNetwork: true }));
  t.equal(podAdmitted.code, 0, `Pod: ${podAdmitted.stderr}`);
  const refused = await kubectlObjects(['create', '--dry-run=server'], resourcePolicy as never);
  t.equal(refused.code, 1);
  t.match(refused.stderr, 'failed calling webhook "resourcepolicies.eci-admission.svc"');
});
