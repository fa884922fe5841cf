// 3. Pods as the API server stores them after /mutate's patch: routing to the virtual node and
// the eci-profile's effects; in hybrid mode an ordinary pod is stored as sent.
import type { V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { applyProfile, deleteProfile, getJson, kubectlObjects, namespace, pod } from '../helpers.js';
import { restartWebhook, webhookArgs } from '../webhook.js';

const selectors = [
  {
    name: 'e2e-team',
    namespaceSelector: { matchLabels: { team: 'e2e' } },
    effect: {
      annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo' },
      labels: { 'eci-selector': 'e2e-team' },
    },
  },
];

t.before(async () => {
  await namespace('e2e-eci', { 'alibabacloud.com/eci': 'true', team: 'e2e' });
  await namespace('e2e-plain', { team: 'e2e-other' });
  await applyProfile(selectors);
});
t.teardown(deleteProfile);

t.test('a pod of an ECI namespace is stored routed, with the eci-profile selector effects', async (t) => {
  const created = await kubectlObjects(['create'], pod('routed', 'e2e-eci', { app: 'web' }));
  t.equal(created.code, 0, created.stderr);
  const stored = await getJson<V1Pod>('pod', 'routed', 'e2e-eci');
  t.equal(stored.spec?.nodeSelector?.type, 'virtual-kubelet');
  const ours = stored.spec?.tolerations?.filter((toleration) => toleration.key === 'virtual-kubelet.io/provider') ?? [];
  t.same(ours, [
    { key: 'virtual-kubelet.io/provider', operator: 'Equal', value: 'alibabacloud', effect: 'NoSchedule' },
  ]);
  t.equal(stored.metadata?.annotations?.['k8s.aliyun.com/eci-spot-strategy'], 'SpotAsPriceGo');
  t.same(
    stored.metadata?.labels,
    { app: 'web', 'eci-selector': 'e2e-team' },
    "the pod keeps its labels and gains the effect's",
  );
});

t.test("the pod's own values win over the selector's", async (t) => {
  const own = pod('own', 'e2e-eci', { 'eci-selector': 'mine' });
  own.metadata!.annotations = {
    'k8s.aliyun.com/eci-spot-strategy': 'SpotWithPriceLimit',
    'k8s.aliyun.com/eci-spot-price-limit': '0.5',
  };
  const created = await kubectlObjects(['create'], own);
  t.equal(created.code, 0, created.stderr);
  const stored = await getJson<V1Pod>('pod', 'own', 'e2e-eci');
  t.equal(stored.metadata?.annotations?.['k8s.aliyun.com/eci-spot-strategy'], 'SpotWithPriceLimit');
  t.equal(stored.metadata?.labels?.['eci-selector'], 'mine');
});

t.test('hybrid mode: a pod of an ordinary namespace is stored as sent', async (t) => {
  const args = webhookArgs();
  await restartWebhook(['--cluster-mode=hybrid']);
  t.teardown(() => restartWebhook(args).then(() => undefined));
  const created = await kubectlObjects(['create'], pod('plain', 'e2e-plain', { app: 'web' }));
  t.equal(created.code, 0, created.stderr);
  const stored = await getJson<V1Pod>('pod', 'plain', 'e2e-plain');
  t.notOk(stored.spec?.nodeSelector, 'no nodeSelector');
  t.notOk(
    stored.spec?.tolerations?.some((toleration) => toleration.key === 'virtual-kubelet.io/provider'),
    'no virtual-node toleration',
  );
  t.notOk(stored.metadata?.annotations, 'no annotations');
  t.same(stored.metadata?.labels, { app: 'web' });
  // The same webhook still routes the ECI namespace's pods.
  t.equal((await kubectlObjects(['create'], pod('hybrid-routed', 'e2e-eci'))).code, 0);
  t.equal((await getJson<V1Pod>('pod', 'hybrid-routed', 'e2e-eci')).spec?.nodeSelector?.type, 'virtual-kubelet');
});
