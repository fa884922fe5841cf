// 4. The eci-profile in the cluster: a valid one is used by the next pod without a restart, an
// invalid one is refused with the path of the error, other kube-system ConfigMaps never reach us.
import type { V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import {
  applyProfile,
  deleteProfile,
  kubectlObjects,
  namespace,
  pod,
  profileConfigMap,
  webhookPid,
  webhookProfile,
} from '../helpers.js';
import { firstReplica, webhookCounter } from '../webhook.js';

t.before(async () => void (await namespace('e2e-profile', { team: 'profile' })));
t.teardown(deleteProfile);

const dryRunPod = async (name: string) => {
  const result = await kubectlObjects(['create', '--dry-run=server', '-o', 'json'], pod(name, 'e2e-profile'));
  return JSON.parse(result.stdout) as V1Pod;
};

t.test('a new profile applies to the next pod, with no restart', async (t) => {
  const pid = webhookPid();
  t.notOk((await dryRunPod('before')).metadata?.annotations?.['k8s.aliyun.com/eci-spot-strategy'], 'no effect before');
  await applyProfile([
    {
      name: 'spot',
      namespaceSelector: { matchLabels: { team: 'profile' } },
      effect: { annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo' } },
    },
  ]);
  t.equal((await dryRunPod('after')).metadata?.annotations?.['k8s.aliyun.com/eci-spot-strategy'], 'SpotAsPriceGo');
  await applyProfile([
    {
      name: 'spot',
      namespaceSelector: { matchLabels: { team: 'profile' } },
      effect: {
        annotations: {
          'k8s.aliyun.com/eci-spot-strategy': 'SpotWithPriceLimit',
          'k8s.aliyun.com/eci-spot-price-limit': '0.3',
        },
      },
    },
  ]);
  t.equal(
    (await dryRunPod('edited')).metadata?.annotations?.['k8s.aliyun.com/eci-spot-strategy'],
    'SpotWithPriceLimit',
    'an edit applies too',
  );
  t.equal(webhookPid(), pid, 'the same process');
});

t.test('an invalid profile is refused by the profiles webhook, with the path of the error', async (t) => {
  const bad = profileConfigMap([
    { name: 'bad', effect: { annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'Cheapest' } } },
  ]);
  const result = await kubectlObjects(['apply'], bad);
  t.equal(result.code, 1);
  t.match(result.stderr, 'admission webhook "profiles.eci-admission.svc" denied the request');
  t.match(result.stderr, 'data.selectors[0].effect.annotations["k8s.aliyun.com/eci-spot-strategy"]');
  const notJson = await kubectlObjects(['apply'], profileConfigMap('[{"name": '));
  t.equal(notJson.code, 1);
  t.match(notJson.stderr, 'data.selectors');
});

t.test('an acs-profile applies like the eci-profile, wins over it, and /readyz names it', async (t) => {
  await applyProfile([
    {
      name: 'eci',
      namespaceSelector: { matchLabels: { team: 'profile' } },
      effect: { annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo' } },
    },
  ]);
  await applyProfile(
    [
      {
        name: 'acs',
        namespaceSelector: { matchLabels: { team: 'profile' } },
        effect: { labels: { 'acs-selector': 'acs' } },
      },
    ],
    'acs-profile',
  );
  t.teardown(() => deleteProfile('acs-profile'));
  t.match(await webhookProfile(), /^cluster kube-system\/acs-profile@\d+$/);
  const routed = await dryRunPod('acs');
  t.equal(routed.metadata?.labels?.['acs-selector'], 'acs', "the acs-profile's effect");
  t.notOk(routed.metadata?.annotations?.['k8s.aliyun.com/eci-spot-strategy'], "not the eci-profile's");
  const refused = await kubectlObjects(['apply'], profileConfigMap('[{"name": "x", "effect": 1}]', 'acs-profile'));
  t.equal(refused.code, 1, 'an invalid acs-profile is refused');
  t.match(refused.stderr, 'admission webhook "profiles.eci-admission.svc" denied the request');
});

t.test('only the profiles are sent: the API server evaluates matchConditions', async (t) => {
  const replica = firstReplica();
  const configMaps = () => webhookCounter(replica, 'eci_admission_requests_total', 'kind="ConfigMap"');
  const before = await configMaps();
  const other = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'coredns-extra', namespace: 'kube-system' },
    data: { selectors: 'not a profile' },
  };
  t.equal((await kubectlObjects(['create'], other)).code, 0);
  t.equal(await configMaps(), before, 'an ordinary kube-system ConfigMap was not sent');
  await kubectlObjects(['apply', '--dry-run=server'], profileConfigMap([]));
  t.equal(await configMaps(), before + 1, 'the eci-profile was');
});
